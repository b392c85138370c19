// Auto's measurements, kept per model and machine (IndexedDB where there is one, else memory), so
// the same model trains at once the next time instead of timing every backend again.
import type { Measured } from './autoChoice';

const memory = new Map<string, Measured[]>();
const DB = 'neural-blocks-backend-choice';

function open(): Promise<IDBDatabase | undefined> {
  if (typeof indexedDB === 'undefined') return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore('choices');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => resolve(undefined); // private mode and the like: memory only
  });
}

export async function cachedChoice(key: string): Promise<Measured[] | undefined> {
  if (memory.has(key)) return memory.get(key);
  const db = await open();
  if (!db) return undefined;
  return new Promise((resolve) => {
    const req = db.transaction('choices').objectStore('choices').get(key);
    req.onsuccess = () => resolve(Array.isArray(req.result) ? (req.result as Measured[]) : undefined);
    req.onerror = () => resolve(undefined);
  });
}

export async function saveChoice(key: string, ms: Measured[]): Promise<void> {
  memory.set(key, ms);
  const db = await open();
  if (!db) return;
  await new Promise<void>((resolve) => {
    const tx = db.transaction('choices', 'readwrite');
    tx.objectStore('choices').put(ms, key);
    tx.oncomplete = () => resolve();
    tx.onerror = () => resolve();
  });
}
