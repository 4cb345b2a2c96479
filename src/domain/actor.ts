/** Who did something: shown in every event, ledger row and run record. */
export interface Actor {
  type: 'user' | 'api' | 'system' | 'pack_script';
  id: number | null;
  name: string;
}

export function actorLabel(actor: Actor): string {
  return actor.type === 'api' ? `api:${actor.name}` : actor.name;
}
