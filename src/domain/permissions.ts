/**
 * Staff roles and what each may do. Roles are ranked: an operator can do all a packer can, an
 * admin all an operator can.
 */
export const ROLES = ['packer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const CAPABILITIES = {
  outbound: 'packer',
  shipping: 'packer',
  pickup: 'packer',
  orders: 'operator',
  tools: 'operator',
  packScript: 'operator',
  settings: 'admin',
  users: 'admin',
  deleteOrders: 'admin',
} as const satisfies Record<string, Role>;
export type Capability = keyof typeof CAPABILITIES;

export function can(role: Role, capability: Capability): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(CAPABILITIES[capability]);
}
