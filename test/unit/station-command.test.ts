import { describe, expect, it } from 'vitest';
import { readCommand, STATION_COMMANDS } from '../../src/domain/station-command.js';

describe('station command barcodes', () => {
  it.each([
    ['REPORT IN', 'REPORT IN'],
    ['report in', 'REPORT IN'],
    ['  Report_In ', 'REPORT IN'],
    ['FETCH-PARCEL-ID', 'FETCH PARCEL ID'],
    ['new  parcel', 'NEW PARCEL'],
    ['PARTIAL', 'PARTIAL'],
    ['print label', 'PRINT LABEL'],
    ['cancel', 'CANCEL'],
    ['ok', 'OK'],
  ])('%j is the command %s', (text, command) => {
    expect(readCommand(text)).toBe(command);
  });

  it.each(['REPORTIN', 'REPORT IN NOW', 'JJD00012345678901', '1234567897', '', 'PARTIALLY', 'OKAY', 'O K 1'])('%j is no command', (text) => {
    expect(readCommand(text)).toBeUndefined();
  });

  it('no command reads as a parcel ID or order code would (each has a space or letters only)', () => {
    for (const c of STATION_COMMANDS) expect(c).toMatch(/^[A-Z ]+$/);
  });
});
