// Share links carry the whole graph in the URL hash: JSON, deflated with CompressionStream and
// base64url-encoded (#graph=…). Nothing leaves the browser; the hash is never sent to a server.
//
// A link comes from someone else: its length is checked before decoding, the inflated size is
// capped while inflating (a few KB can inflate to gigabytes), and the graph it holds may have at
// most MAX_SHARE_NODES blocks after macro expansion, so opening it (analysis runs on the main
// thread) stays quick. A refused link opens nothing; the open graphs stay as they were.
import { GraphFormatError, parseGraphText, type GraphDoc } from '../core/graph';
import { MAX_SHARE_CHARS, MAX_SHARE_INFLATED } from '../core/limits';
import { flatSize } from '../core/macro';

/** Blocks (after macro expansion) a share link may hold. */
export const MAX_SHARE_NODES = 20_000;

function toBase64Url(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(s: string): Uint8Array {
  const b = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) out[i] = b.charCodeAt(i);
  return out;
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const res = new Response(new Blob([bytes as BlobPart]).stream().pipeThrough(stream));
  return new Uint8Array(await res.arrayBuffer());
}

export async function encodeShare(doc: GraphDoc): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(doc));
  return toBase64Url(await pipe(json, new CompressionStream('deflate-raw')));
}

/** Inflates deflate-raw bytes, giving up (undefined) as soon as the output passes `max` bytes. */
async function inflateCapped(bytes: Uint8Array, max: number): Promise<Uint8Array | undefined> {
  const reader = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    parts.push(value);
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.byteLength;
  }
  return out;
}

/** Decodes a share hash payload; throws GraphFormatError (or Error) with a one-line message. */
export async function decodeShare(payload: string): Promise<GraphDoc> {
  if (payload.length > MAX_SHARE_CHARS) throw new Error(`the share link is too long (${payload.length} characters; at most ${MAX_SHARE_CHARS}) — share the graph as a file instead`);
  let inflated: Uint8Array | undefined;
  try {
    inflated = await inflateCapped(fromBase64Url(payload), MAX_SHARE_INFLATED);
  } catch {
    throw new Error('the share link is damaged (its graph data could not be decompressed) — ask for the link again');
  }
  if (!inflated) throw new Error(`the share link's graph is larger than ${MAX_SHARE_INFLATED} bytes — share the graph as a file instead`);
  const doc = parseGraphText(new TextDecoder().decode(inflated), 'share link');
  const size = flatSize(doc);
  if (size.nodes > MAX_SHARE_NODES) throw new GraphFormatError(`the share link's graph has ${size.nodes} blocks (macros expanded); links open graphs of up to ${MAX_SHARE_NODES} — share it as a file instead`);
  return doc;
}

export async function shareUrl(doc: GraphDoc): Promise<string> {
  const u = new URL(location.href);
  u.hash = `graph=${await encodeShare(doc)}`;
  return u.toString();
}
