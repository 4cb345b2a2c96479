import { describe, expect, it } from 'vitest';
import { COMMAND_KEYS, STATION_COMMANDS } from '../../src/domain/station-command.js';
import { Backlog, BACKLOG_MAX } from '../../src/browser/lib/station-backlog.js';
import { commandOfKey, formOpens, intendedOrder, keyName } from '../../src/browser/lib/station-queue.js';
import { orderCodeOfScan, orderOpenedBy } from '../../src/browser/lib/order-scan.js';
import { dammCheckDigit } from '../../src/domain/order-code.js';

const CODE = `123456789${dammCheckDigit('123456789')}`;
/** The order code as a US scanner types it on AZERTY (the digit row shifted). */
const AZERTY_DIGITS: Record<string, string> = { '1': '&', '2': 'é', '3': '"', '4': "'", '5': '(', '6': '-', '7': 'è', '8': '_', '9': 'ç', '0': 'à' };
const CODE_ON_AZERTY = [...CODE].map((d) => AZERTY_DIGITS[d]).join('');

describe('the station’s backlog of refusals', () => {
  it('says the first refusal at once and lists the next behind it', () => {
    const backlog = new Backlog();
    expect(backlog.refusalShown).toBe(false);
    expect(backlog.refuse('JJD1', 'Not this order', 1)).toBe(true);
    expect(backlog.refuse('JJD2', 'Unknown', 2)).toBe(false);
    expect(backlog.refusals().map((r) => r.value)).toEqual(['JJD1', 'JJD2']);
  });

  it.each([
    ['no words', '', 'none'],
    ['words with nothing refused', 'Checked', 'say'],
  ] as const)('tells %s: %s', (_, message, told) => expect(new Backlog().tell(message, 'ok')).toBe(told));

  it('keeps an answer’s words behind a refusal, and says the last of them when it is acknowledged', () => {
    const backlog = new Backlog();
    backlog.refuse('A', 'Put it back', 1);
    expect(backlog.tell('Checked 1', 'ok')).toBe('kept');
    expect(backlog.tell('Checked 2', 'duplicate')).toBe('kept');
    expect(backlog.waiting).toBe(2);
    expect(backlog.acknowledge()).toEqual({ next: undefined, last: { message: 'Checked 2', kind: 'duplicate' } });
    expect(backlog.entries).toEqual([]);
  });

  it('acknowledging goes up to the next refusal, which is then shown', () => {
    const backlog = new Backlog();
    backlog.refuse('A', 'first', 1);
    backlog.tell('words 1', 'ok');
    backlog.refuse('B', 'second', 2);
    backlog.tell('words 2', 'ok');
    const done = backlog.acknowledge();
    expect(done?.next?.message).toBe('second');
    expect(done?.last).toEqual({ message: 'words 1', kind: 'ok' });
    expect(backlog.entries.map((e) => e.message)).toEqual(['second', 'words 2']);
  });

  it('acknowledges the refusal whose OK was pressed, leaving the first in place', () => {
    const backlog = new Backlog();
    backlog.refuse('A', 'first', 1);
    backlog.refuse('B', 'second', 2);
    const second = backlog.refusals()[1];
    expect(backlog.acknowledge(second)?.next?.message).toBe('first');
    expect(backlog.refusals().map((r) => r.message)).toEqual(['first']);
  });

  it('acknowledges nothing when nothing is refused', () => {
    expect(new Backlog().acknowledge()).toBeNull();
  });

  it('drops the oldest words, then the oldest refusals but the one shown, past its limit', () => {
    const backlog = new Backlog();
    backlog.refuse('first', 'shown', 0);
    backlog.tell('words', 'ok');
    for (let i = 1; i < BACKLOG_MAX - 1; i++) backlog.refuse(`R${i}`, 'refused', i);
    expect(backlog.entries.length).toBe(BACKLOG_MAX);
    expect(backlog.waiting).toBe(1);
    // One past: the words go first.
    backlog.refuse(`R${BACKLOG_MAX - 1}`, 'refused', BACKLOG_MAX - 1);
    expect(backlog.waiting).toBe(0);
    expect(
      backlog
        .refusals()
        .map((r) => r.value)
        .slice(0, 2),
    ).toEqual(['first', 'R1']);
    // Then the oldest refusal after the one shown.
    backlog.refuse(`R${BACKLOG_MAX}`, 'refused', BACKLOG_MAX);
    expect(backlog.entries.length).toBe(BACKLOG_MAX);
    expect(
      backlog
        .refusals()
        .map((r) => r.value)
        .slice(0, 2),
    ).toEqual(['first', 'R2']);
  });

  it('shows GS in a refused value', () => {
    const backlog = new Backlog();
    backlog.refuse('0109501101020917\x1D21SER1', 'no', 1);
    expect(backlog.refusals()[0]!.value).toBe('0109501101020917⟨GS⟩21SER1');
  });

  it('keeps its refusals, not the words waiting, across a reload', () => {
    const backlog = new Backlog();
    backlog.refuse('A', 'first', 1);
    backlog.tell('words', 'ok');
    const again = new Backlog(backlog.stored());
    expect(again.entries).toEqual([{ refusal: true, value: 'A', message: 'first', at: 1 }]);
  });

  it.each([null, '', 'not json', '{"value":"A"}', '42'])('starts empty from a kept %j', (stored) => {
    expect(new Backlog(stored).entries).toEqual([]);
  });
});

describe('the order a station scan is meant for', () => {
  it.each([
    ['nothing waiting: the order on the page', [], 'A', 'A'],
    ['jobs that leave it: the order on the page', [{}, { opens: undefined }], 'A', 'A'],
    ['a waiting job that opens an order', [{ opens: 'B' }, {}], 'A', 'B'],
    ['the last waiting job that opens or closes one', [{ opens: 'B' }, { opens: '' }, {}], 'A', ''],
    ['a job that closes it, with none open', [{ opens: '' }], '', ''],
  ] as const)('%s', (_, queue, open, order) => expect(intendedOrder(queue, open)).toBe(order));
});

describe('what a station form does to the open order', () => {
  const body = (fields: Record<string, string>) => new URLSearchParams(fields);
  it.each([
    ['Report in closes it', '/shipping/report', {}, ''],
    ['Put back closes it', '/shipping/release', {}, ''],
    ['a takeover opens that order', '/shipping/orders/42/take-over', {}, '42'],
    ['a scanned order code opens it', '/shipping/scan', { value: CODE }, CODE],
    ['an order code a US scanner typed on AZERTY opens it', '/shipping/scan', { value: CODE_ON_AZERTY, source: 'scanner' }, CODE],
    ['the same keys typed by a person open nothing', '/shipping/scan', { value: CODE_ON_AZERTY, source: 'manual' }, undefined],
    ['a parcel ID leaves it', '/shipping/scan', { value: 'JJD000111222333' }, undefined],
    ['a parcel slot leaves it', '/shipping/parcels/new', {}, undefined],
  ] as const)('%s', (_, path, fields, opens) => expect(formOpens(path, body(fields), '')).toBe(opens));
});

describe('order codes in scans', () => {
  it.each([
    ['an order code', CODE, 'scanner', '', CODE],
    ['with an AIM identifier', `]C0${CODE}`, 'scanner', '', CODE],
    ['typed on AZERTY by a scanner', CODE_ON_AZERTY, 'scanner', '', CODE],
    ['typed on AZERTY by a person', CODE_ON_AZERTY, 'manual', '', undefined],
    ['GS1 data', `]C1${CODE}`, 'scanner', '', undefined],
    ['a wrong check digit', `123456789${(Number(dammCheckDigit('123456789')) + 1) % 10}`, 'scanner', '', undefined],
    ['a GS substitute from a person is kept as typed', `${CODE}`, 'manual', '#', CODE],
  ] as const)('%s opens %j', (_, value, source, gs, opens) => expect(orderOpenedBy(value, source, gs)).toBe(opens ?? undefined));

  it.each([
    [CODE, CODE],
    [` ${CODE} `, CODE],
    ['  JJD000111 ', 'JJD000111'],
  ])('Outbound selects %j as %j', (value, code) => expect(orderCodeOfScan(value)).toBe(code));
});

describe('the station’s keys', () => {
  it.each([
    [{ key: 'F9', ctrlKey: false, shiftKey: false }, 'F9'],
    [{ key: 'F4', ctrlKey: false, shiftKey: true }, 'Shift+F4'],
    [{ key: 'z', ctrlKey: true, shiftKey: false }, 'Control+Z'],
    [{ key: 'Enter', ctrlKey: true, shiftKey: false }, 'Control+Enter'],
    [{ key: 'Escape', ctrlKey: false, shiftKey: false }, 'Escape'],
  ])('%j is %s', (key, name) => expect(keyName(key)).toBe(name));

  it.each(STATION_COMMANDS.map((c) => [COMMAND_KEYS[c], c]))('%s runs %s', (key, command) => expect(commandOfKey(key)).toBe(command));

  it.each(['Enter', 'F1', 'Control+Shift+Z', 'A'])('%s runs no command', (key) => expect(commandOfKey(key)).toBeUndefined());
});
