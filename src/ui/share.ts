// Share links carry the whole graph in the URL hash: JSON, deflated with CompressionStream and
// base64url-encoded (#graph=…). Nothing leaves the browser; the hash is never sent to a server.
import { parseGraphText, type GraphDoc } from '../core/graph';

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

/** Decodes a share hash payload; throws GraphFormatError (or Error) with a one-line message. */
export async function decodeShare(payload: string): Promise<GraphDoc> {
  let text: string;
  try {
    text = new TextDecoder().decode(await pipe(fromBase64Url(payload), new DecompressionStream('deflate-raw')));
  } catch {
    throw new Error('the share link is damaged (its graph data could not be decompressed) — ask for the link again');
  }
  return parseGraphText(text, 'share link');
}

export async function shareUrl(doc: GraphDoc): Promise<string> {
  const u = new URL(location.href);
  u.hash = `graph=${await encodeShare(doc)}`;
  return u.toString();
}
