// The station's queries moved to repo/stations.ts. Only what web.ts and station-view.ts (being
// rewritten in parallel) still import from here is passed on: import from repo/stations.ts (the
// readers) and stations.ts (pruneScanKeys, which now opens its own transaction) and delete this file.
export { findStationByName, listStationDrafts, stationQueue, type QueueRow, type StationDraftRow, type StationRow } from './repo/stations.js';
export { pruneScanKeys } from './stations.js';
