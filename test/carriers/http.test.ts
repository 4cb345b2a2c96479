import { describe, expect, it } from 'vitest';
import { readCapped } from '../../src/carriers/http.js';
import { CarrierError } from '../../src/carriers/types.js';
import { loopbackServer } from '../loopback.js';

describe('reading a carrier’s answer', () => {
  it('reads an answer up to its limit, and stops reading one past it as a malformed answer (maybe booked)', async () => {
    const server = await loopbackServer('/answer', (res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      // In pieces, as a long answer arrives.
      for (let i = 0; i < 10; i++) res.write('x'.repeat(500));
      res.end();
    });
    expect((await readCapped(await fetch(server.url), 5000)).length).toBe(5000);
    const err: unknown = await readCapped(await fetch(server.url), 4999).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CarrierError);
    expect(err).toMatchObject({ failure: 'unknown', problems: [{ field: null, message: 'answer over 4999 bytes, not read' }] });
  });
});
