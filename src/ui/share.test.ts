// Share links from someone else (issue 12): a link's length, its inflated size and its graph's
// size are limited, each refusal with a one-line reason; a normal link (with a BOM'd or macro
// graph) round-trips.
import { describe, expect, it } from 'vitest';
import type { GraphDoc } from '../core/graph';
import { MAX_SHARE_CHARS } from '../core/limits';
import { decodeShare, encodeShare, MAX_SHARE_NODES } from './share';

const small: GraphDoc = {
  format: 'neural-blocks.graph',
  version: 1,
  nodes: [
    { id: 'x', type: 'Input', params: { shape: [3] } },
    { id: 'd', type: 'Dense', params: { units: 2 } },
  ],
  edges: [{ source: 'x', target: 'd' }],
};

async function deflate(text: string): Promise<string> {
  const bytes = new Uint8Array(await new Response(new Blob([text]).stream().pipeThrough(new CompressionStream('deflate-raw'))).arrayBuffer());
  return Buffer.from(bytes).toString('base64url');
}

describe('share links', () => {
  it('round-trip a graph', async () => {
    expect(await decodeShare(await encodeShare(small))).toEqual(small);
  });

  it('refuse a payload longer than the limit before decoding it', async () => {
    await expect(decodeShare('A'.repeat(MAX_SHARE_CHARS + 1))).rejects.toThrow(/the share link is too long \(\d+ characters; at most \d+\)/);
  });

  it('stop inflating a deflate bomb at the cap', async () => {
    // ~100 MB of spaces deflate to ~100 KB: the link is short, the graph would not be.
    const payload = await deflate(`{"format":"neural-blocks.graph","version":1,"nodes":[],"edges":[]${' '.repeat(100 * 1024 * 1024)}}`);
    expect(payload.length).toBeLessThan(MAX_SHARE_CHARS);
    await expect(decodeShare(payload)).rejects.toThrow(/larger than 16777216 bytes/);
  });

  it('refuse graphs over the share link size after macro expansion', async () => {
    const def = { inputs: ['in'], outputs: [{ name: 'out', node: 'd' }], nodes: Array.from({ length: 50 }, (_, i) => ({ id: i ? `d${i}` : 'd', type: 'Dense', params: { units: 2 } })), edges: [] };
    const nodes = [small.nodes[0]!, ...Array.from({ length: 500 }, (_, i) => ({ id: `m${i}`, type: 'Macro', params: { name: 'blk' } }))];
    const payload = await encodeShare({ ...small, nodes, edges: [], macros: { blk: def } });
    await expect(decodeShare(payload)).rejects.toThrow(new RegExp(`has 25001 blocks \\(macros expanded\\); links open graphs of up to ${MAX_SHARE_NODES}`));
  });

  it('a damaged link says so', async () => {
    await expect(decodeShare('not-deflate-data')).rejects.toThrow(/the share link is damaged/);
  });
});
