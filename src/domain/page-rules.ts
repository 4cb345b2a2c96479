// The rules the pages run as well as the server, in one bundle for the browser (the global `Rules`,
// served at /public/js/rules.js by src/web/browser-modules.ts): the scan reader, order codes, the
// station's commands and the scanner check. The page acts on a scan at once with the rule the
// server applies when the scan arrives.
export { candidateReadings, GS, LAYOUTS, readScan } from './scan-input.js';
export { readOrderCode } from './order-code.js';
export { COMMAND_KEYS, commandIn, STATION_COMMANDS } from './station-command.js';
export { CHECK_GS1, CHECK_TEXT } from './scanner-check.js';
