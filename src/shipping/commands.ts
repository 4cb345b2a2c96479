import { randomUUID } from 'node:crypto';
import type { StationCommand } from '../domain/station-command.js';
import {
  addParcelSlot,
  closeOrderHere,
  fetchParcelIds,
  openOrderCode,
  ready,
  reportIn,
  shipCheckedUnits,
  undoLastCheck,
  type StationActionCtx,
  type StationOutcome,
} from './station-actions.js';

// The station's commands (domain/station-command.ts): a barcode from the command sheet, its key or
// its button, each one handler. A scanned command does what its key does.

/** A command's context: the station's, and the scan that carried the command. */
export interface CommandCtx extends StationActionCtx {
  /** The scan's key (one per scan, from the page): a resent REPORT IN reports nothing twice. */
  scan: { key: string | undefined };
}

export type CommandHandler = (ctx: CommandCtx) => StationOutcome | Promise<StationOutcome>;

/** A command about the order open at the station: refused (`shipping.openFirst`) when none is open. */
function onOpenOrder(handler: (ctx: CommandCtx, code: string) => StationOutcome | Promise<StationOutcome>): CommandHandler {
  return (ctx) => handler(ctx, openOrderCode(ctx.station));
}

/** Each command's handler; the type makes the table whole (a command without a handler does not compile). */
export const COMMAND_HANDLERS: { readonly [C in StationCommand]: CommandHandler } = {
  // A scan without a key (a page without its script) reports under a key of its own.
  'REPORT IN': (ctx) => reportIn(ctx, { orders: [], key: ctx.scan.key ?? randomUUID() }),
  'FETCH PARCEL ID': onOpenOrder(fetchParcelIds),
  'NEW PARCEL': onOpenOrder(addParcelSlot),
  PARTIAL: onOpenOrder((_ctx, code) => ({ kind: 'ok', key: 'shipping.partialOpen', params: { code }, open: 'partial' })),
  'PRINT LABEL': onOpenOrder((_ctx, code) => ({ kind: 'ok', key: 'shipping.labelOpen', params: { code }, open: 'label' })),
  CANCEL: closeOrderHere,
  'UNDO CHECK': onOpenOrder(undoLastCheck),
  'SHIP CHECKED': onOpenOrder(shipCheckedUnits),
  // What OK acknowledges (a refusal) or confirms (a takeover) is on the page, which runs it there.
  OK: () => ready(),
};

/** Runs a command at the station: what it did, in the station's words. */
export async function runCommand(command: StationCommand, ctx: CommandCtx): Promise<StationOutcome> {
  return COMMAND_HANDLERS[command](ctx);
}
