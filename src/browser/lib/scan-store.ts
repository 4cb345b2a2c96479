import type { KeptScan } from './station-queue.js';

// The packing station's scans kept on this device (IndexedDB) until the server has answered them.
// Version 2 keeps whose they are: scans of version 1 name no user and are not sent under anyone's.

export interface ScanStore {
  put(scan: KeptScan): Promise<void>;
  remove(key: string): Promise<void>;
  /** Every kept scan, oldest first; none when IndexedDB cannot be read. */
  all(): Promise<KeptScan[]>;
}

export function openScanStore(): ScanStore {
  let dbp: Promise<IDBDatabase> | null = null;
  const open = () =>
    (dbp ||= new Promise((resolve, reject) => {
      const req = indexedDB.open('station', 2);
      req.onupgradeneeded = (event) => {
        if (event.oldVersion >= 1) req.result.deleteObjectStore('scans');
        req.result.createObjectStore('scans', { keyPath: 'key' });
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error('indexedDB.open failed'));
    }));
  const run = async <T>(mode: IDBTransactionMode, fn: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> => {
    const db = await open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction('scans', mode);
      const request = fn(tx.objectStore('scans'));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    });
  };
  return {
    put: (scan) =>
      run('readwrite', (s) => s.put(scan)).then(
        () => undefined,
        () => undefined,
      ),
    remove: (key) =>
      run('readwrite', (s) => s.delete(key)).then(
        () => undefined,
        () => undefined,
      ),
    all: () =>
      run('readonly', (s) => s.getAll() as IDBRequest<KeptScan[]>).then(
        (rows) => (rows || []).sort((a, b) => a.at - b.at),
        () => [],
      ),
  };
}
