/**
 * A key of its own for a scan or a form, so that a resend counts once: 32 hex digits from
 * crypto.getRandomValues, which exists in every context (crypto.randomUUID does not on the LAN's
 * plain HTTP).
 */
export function newKey(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}
