import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { STATION_COMMANDS, type StationCommand } from '../../src/domain/station-command.js';
import { tEn } from '../../src/i18n/index.js';
import { CredentialBox } from '../../src/carriers/secrets.js';
import { COMMAND_HANDLERS, runCommand, type CommandCtx } from '../../src/shipping/commands.js';

/** A database that fails on any use: these commands must decide without one. */
const noDb = new Proxy({} as Db, {
  get(_target, prop) {
    throw new Error(`the database was used (${String(prop)})`);
  },
});

function ctxAt(currentCode: string | null): CommandCtx {
  return {
    db: noDb,
    user: { id: 7 },
    actor: { type: 'user', id: 7, name: 'Pia' },
    stationName: 'Bench 2',
    now: new Date('2026-03-01T10:00:00Z'),
    t: tEn,
    printing: { db: noDb, clock: () => new Date('2026-03-01T10:00:00Z'), timeoutMs: 1000, lang: 'en' },
    carriers: { box: new CredentialBox(Buffer.alloc(32, 1)), timeoutMs: 1000 },
    station: { id: 3, userId: 7, name: 'Bench 2', userName: 'Pia', currentOrderId: currentCode ? 11 : null, currentCode, lastSeenAt: new Date(0) },
    scan: { key: 'k1' },
  };
}

describe('the station command table', () => {
  it('has one handler for each command, and none for anything else', () => {
    expect(Object.keys(COMMAND_HANDLERS).sort()).toEqual([...STATION_COMMANDS].sort());
  });

  it.each<StationCommand>(['FETCH PARCEL ID', 'NEW PARCEL', 'PARTIAL', 'PRINT LABEL', 'UNDO CHECK', 'SHIP CHECKED'])(
    '%s is refused (open an order first) when no order is open, before anything is read or written',
    async (command) => {
      await expect(runCommand(command, ctxAt(null))).rejects.toMatchObject({ code: 'validation_failed', key: 'shipping.openFirst' });
    },
  );

  it('PARTIAL and PRINT LABEL open the partial form and the label of the order open here', async () => {
    expect(await runCommand('PARTIAL', ctxAt('1234567897'))).toEqual({
      kind: 'ok',
      key: 'shipping.partialOpen',
      params: { code: '1234567897' },
      open: 'partial',
    });
    expect(await runCommand('PRINT LABEL', ctxAt('1234567897'))).toEqual({
      kind: 'ok',
      key: 'shipping.labelOpen',
      params: { code: '1234567897' },
      open: 'label',
    });
  });

  it('OK does nothing on the server: what it acknowledges or confirms is on the page', async () => {
    expect(await runCommand('OK', ctxAt(null))).toEqual({ kind: 'ok', key: 'shipping.ready', params: {} });
  });
});
