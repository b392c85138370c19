// Import of torchvision's Swin transformer (issue 15): small models built with torchvision 0.14's
// SwinTransformer class (src/import/torch_swin_models.py), exported by torch 1.13 at opsets 13
// and 17, imported op by op — the shifted-window attention and the patch merging each fused into
// one block, their run-time size / mask arithmetic folded and checked — validated, compiled to
// tfjs with the imported weights and compared with onnxruntime on the original file (batch 2):
// max |diff| ≤ 1e-4, trainable parameters equal to torch's. Files changed in one constant (q's
// scale, the shift mask, the relative position bias) are refused, the message naming the node
// and the value.
//
// Needs /usr/bin/python3 with torch and torchvision (apt: python3-torch, python3-torchvision);
// without them these tests fail, they are never skipped.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphDoc } from '../core/graph';
import { onnxReader } from '../onnx/read';
import { ImportError } from './index';
import { exportTorchFixtures, checkNn } from './nnCheck';
import { convertForeign, readOnnx } from './onnx/index';
import type { PModel, PNode } from './onnx/proto';

const reader = onnxReader(readFileSync(new URL('../onnx/onnx.proto', import.meta.url), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'nb-swin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const made: Record<string, { path: string; input: number[]; params: number }> = {};

beforeAll(() => {
  for (const opset of ['13', '17'])
    for (const j of exportTorchFixtures<{ name: string; path: string; input: number[]; params: number }>('./torch_swin_models.py', dir, opset)) made[`${j.name}_o${opset}`] = j;
}, 300_000);

const swa = (doc: GraphDoc) => doc.nodes.filter((n) => n.type === 'ShiftedWindowAttention').map((n) => n.params);
const count = (doc: GraphDoc, type: string) => doc.nodes.filter((n) => n.type === type).length;

describe.each([13, 17])('ONNX import of torchvision Swin (opset %i, onnxruntime reference)', (opset) => {
  it('36×36 input, window 4: padded maps, shifted blocks in both stages, an odd map merged', async () => {
    const m = made[`swin_pad_o${opset}`]!;
    const r = await checkNn(m.path, [m.input], 0, 0);
    expect(r.refMax).toBeGreaterThan(0.1);
    expect(r.diff).toBeLessThanOrEqual(1e-4);
    expect(r.params).toBe(m.params);
    expect(r.params).toBe(78_190);
    // Stage 1: 9×9 (padded to 12×12), stage 2: 5×5 (padded to 8×8): every odd block shifts by 2.
    expect(swa(r.doc)).toEqual([
      { windowSize: 4, shiftSize: 0, numHeads: 2, qkvBias: true, projBias: true },
      { windowSize: 4, shiftSize: 2, numHeads: 2, qkvBias: true, projBias: true },
      { windowSize: 4, shiftSize: 0, numHeads: 4, qkvBias: true, projBias: true },
      { windowSize: 4, shiftSize: 2, numHeads: 4, qkvBias: true, projBias: true },
    ]);
    expect(count(r.doc, 'PatchMerging')).toBe(1);
    // Patch embedding LayerNorm, 2 per block, PatchMerging's, the final one.
    expect(count(r.doc, 'LayerNormalization')).toBe(11);
    expect(r.doc.nodes.filter((n) => n.type === 'Dense' && n.params?.activation === 'gelu')).toHaveLength(4);
    expect(count(r.doc, 'Reshape') + count(r.doc, 'Permute')).toBe(0);
  }, 120_000);

  it('32×32 input, window 4: no padding; stage 2 is one window, so torch drops its shift', async () => {
    const m = made[`swin_even_o${opset}`]!;
    const r = await checkNn(m.path, [m.input], 0, 0);
    expect(r.refMax).toBeGreaterThan(0.1);
    expect(r.diff).toBeLessThanOrEqual(1e-4);
    expect(r.params).toBe(m.params);
    expect(swa(r.doc).map((p) => p!.shiftSize)).toEqual([0, 2, 0, 0]);
  }, 120_000);
});

/** swin_pad at opset 17 decoded, with the Constant node `name` made to hold `value` (a float, or an int64). */
function withConstant(name: string, value: number, int = false): PModel {
  const m = readOnnx(new Uint8Array(readFileSync(made.swin_pad_o17!.path)), reader);
  const node = m.graph!.node!.find((n: PNode) => n.name === name);
  if (!node) throw new Error(`no node ${name}`);
  node.attribute = [{ name: 'value', type: 4, t: int ? { dims: [], data_type: 7, int64_data: [value] } : { dims: [], data_type: 1, float_data: [value] } }];
  return m;
}

function refusal(m: PModel): string {
  try {
    convertForeign(m, 'swin.onnx');
  } catch (e) {
    if (!(e instanceof ImportError)) throw e;
    return e.unsupported.map((u) => `${u.node}: ${u.reason}`).join('\n');
  }
  throw new Error('the changed file imported');
}

describe('Swin graphs that differ from torchvision are refused', () => {
  const block = '/features/features.1/features.1.1/attn';

  it("q scaled by (C / heads)^−0.6 instead of ^−0.5: names the attention and both scales", () => {
    const m = withConstant(`${block}/Constant_50`, -0.6); // (24 / 2)^−0.6 = 0.225
    expect(refusal(m)).toMatch(/shifted-window attention "\/features\/features\.1\/features\.1\.1\/attn" scales q by \[0\.22\d*\], not by \(C \/ heads\)\^−0\.5 = 0\.288\d* \(C 24, 2 heads\)/);
  });

  it('a shift mask of −50 instead of −100: names the window, query and key that differ', () => {
    const m = withConstant(`${block}/Constant_327`, -50);
    expect(refusal(m)).toMatch(/"\/features\/features\.1\/features\.1\.1\/attn": the mask added to the scores is not torchvision's shift mask for shift 2 on a 12×12 map: window \d+, query \d+, key \d+ is -50 where the block uses -100/);
  });

  it('patch merging whose padding is H % 3 instead of H % 2: names the node and both paddings', () => {
    const m = withConstant('/features/features.2/Constant_3', 3, true); // the 9×9 map: 9 % 3 = 0, not 1
    expect(refusal(m)).toMatch(/patch merging "\/features\/features\.2\/Concat_3" pads the map by \[0, 0, 0, 0, 0, 0, 1, 0\], but the block pads the bottom by 1 and the right by 1/);
  });

  it('a relative position bias that is not gathered from one table: names the head and position', () => {
    const m = readOnnx(new Uint8Array(readFileSync(made.swin_pad_o17!.path)), reader);
    const add = m.graph!.node!.find((n) => n.name === `${block}/Add_1`)!;
    const init = m.graph!.initializer!.find((t) => t.name === add.input![1])!;
    const f = new Float32Array(init.raw_data!.slice().buffer);
    f[5] = f[5]! + 1; // head 0, query 0, key 5
    init.raw_data = new Uint8Array(f.buffer);
    expect(refusal(m)).toMatch(/the bias added to the attention scores is not a relative position bias: head 0, query \d+, key \d+ holds .* but the same relative offset \(torchvision's relative_position_index \d+\) holds/);
  });
});
