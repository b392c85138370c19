// Autosave: every graph lives in IndexedDB (one record per named graph) and is written shortly
// after each change and when the page is hidden, so a reload, a closed tab or a crash loses
// nothing. The id of the open graph is kept too, so a reload reopens it.
import type { GraphDoc } from '../core/graph';

export interface GraphRecord {
  id: string;
  name: string;
  doc: GraphDoc;
  updatedAt: number;
}

const DB = 'neural-blocks';
const GRAPHS = 'graphs';
const KV = 'kv';

let dbp: Promise<IDBDatabase> | null = null;
function db(): Promise<IDBDatabase> {
  if (!dbp)
    dbp = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB, 1);
      req.onupgradeneeded = () => {
        const d = req.result;
        if (!d.objectStoreNames.contains(GRAPHS)) d.createObjectStore(GRAPHS, { keyPath: 'id' });
        if (!d.objectStoreNames.contains(KV)) d.createObjectStore(KV);
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error('IndexedDB could not be opened'));
    });
  return dbp;
}

function tx<T>(store: string, mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T> | void): Promise<T | undefined> {
  return db().then(
    (d) =>
      new Promise<T | undefined>((resolve, reject) => {
        const t = d.transaction(store, mode);
        const req = fn(t.objectStore(store));
        t.oncomplete = () => resolve(req ? req.result : undefined);
        t.onerror = () => reject(t.error ?? new Error('IndexedDB transaction failed'));
        t.onabort = () => reject(t.error ?? new Error('IndexedDB transaction aborted'));
      }),
  );
}

export async function listGraphs(): Promise<Omit<GraphRecord, 'doc'>[]> {
  const all = ((await tx<GraphRecord[]>(GRAPHS, 'readonly', (s) => s.getAll() as IDBRequest<GraphRecord[]>)) ?? []) as GraphRecord[];
  return all.map(({ id, name, updatedAt }) => ({ id, name, updatedAt })).sort((a, b) => b.updatedAt - a.updatedAt);
}

export async function loadGraph(id: string): Promise<GraphRecord | undefined> {
  return (await tx<GraphRecord>(GRAPHS, 'readonly', (s) => s.get(id) as IDBRequest<GraphRecord>)) ?? undefined;
}

export async function saveGraph(rec: GraphRecord): Promise<void> {
  await tx(GRAPHS, 'readwrite', (s) => s.put(rec));
}

export async function deleteGraph(id: string): Promise<void> {
  await tx(GRAPHS, 'readwrite', (s) => s.delete(id));
}

export async function getKV<T>(key: string): Promise<T | undefined> {
  return (await tx<T>(KV, 'readonly', (s) => s.get(key) as IDBRequest<T>)) ?? undefined;
}

export async function setKV(key: string, value: unknown): Promise<void> {
  await tx(KV, 'readwrite', (s) => s.put(value, key));
}

export function newGraphId(): string {
  return `g-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
