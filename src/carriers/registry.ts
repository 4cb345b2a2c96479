import { bring } from './bring.js';
import { nshift } from './nshift.js';
import { shipmondo } from './shipmondo.js';
import type { CarrierDefinition, CarrierKind } from './types.js';

/** Every carrier the product books with, by kind. */
export const CARRIERS: Readonly<Record<CarrierKind, CarrierDefinition>> = { nshift, shipmondo, bring };

export function carrierDefinition(kind: CarrierKind): CarrierDefinition {
  return CARRIERS[kind];
}
