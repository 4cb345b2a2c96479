import { readOrderCode } from '../../domain/order-code.js';
import { readScan, type ScanSource } from '../../domain/scan-input.js';

// Which order a scan names, read as the server reads it (src/domain/order-code.ts: the Damm check
// digit; src/domain/scan-input.ts: AIM identifier, keyboard layout, GS substitute). Pure: no DOM.

/** The order code a taken reading names: the code when its check digit passes, else the value as read (trimmed). */
export function orderCodeOfScan(value: string): string {
  const read = readOrderCode(value);
  return read.kind === 'valid' ? read.code : value.trim();
}

/**
 * The order a scan opens at the station, or undefined: `]C0` and an order code, or an order code a
 * US scanner typed on AZERTY, opens that order as surely as the plain code does. A GS1 string opens none.
 */
export function orderOpenedBy(value: string, source: ScanSource, gsSubstitute: string): string | undefined {
  const reading = readScan(value, { source, gsSubstitute: source === 'scanner' ? gsSubstitute : '' });
  if (!reading.ok || reading.gs1) return undefined;
  const code = readOrderCode(reading.value);
  return code.kind === 'valid' ? code.code : undefined;
}
