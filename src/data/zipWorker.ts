// The worker behind unzipInWorker (zipAsync.ts): one request, one reply, then it is terminated.
import { zipJob, type ZipRequest } from './zipAsync';

const scope = self as unknown as { onmessage: ((ev: MessageEvent<ZipRequest>) => void) | null; postMessage(m: unknown, transfer?: Transferable[]): void };
scope.onmessage = (ev) => void zipJob(ev.data, (r, transfer) => scope.postMessage(r, transfer ?? []));
