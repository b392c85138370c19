// The Swin blocks against torchvision 0.14 itself (Debian's python3-torchvision, as the PyTorch
// contract test uses): blocks/swin_torch.py builds torchvision's ShiftedWindowAttention with
// seeded random weights and runs _patch_merging_pad; our blocks get the same weights (torch's
// Linear weights transposed) and must give the same outputs. Also: the weight layout the ONNX
// importer relies on, gradients to every weight, the geometry helpers, and the shape errors.
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../src/core/compile';
import { analyze } from '../src/core/infer';
import { fixtureGraph } from '../src/core/fixtureGraph';
import { transpose2d } from '../src/pytorch/weights';
import { getBlock } from './index';
import { relativePositionIndex, shiftMask, swinGeometry } from './swinWindows';

interface SwinCase {
  kind: 'swin';
  name: string;
  h: number;
  w: number;
  c: number;
  ws: number;
  shift: number;
  heads: number;
  qkvBias: boolean;
  projBias: boolean;
  qkv_weight: number[];
  qkv_bias: number[] | null;
  proj_weight: number[];
  proj_bias: number[] | null;
  table: number[];
  x: number[];
  y: number[];
}
interface MergeCase {
  kind: 'merge';
  name: string;
  h: number;
  w: number;
  c: number;
  x: number[];
  y: number[];
  yShape: number[];
}

let cases: (SwinCase | MergeCase)[] = [];

beforeAll(async () => {
  await tf.setBackend('cpu');
  const script = new URL('./swin_torch.py', import.meta.url).pathname;
  const out = execFileSync('/usr/bin/python3', [script], { encoding: 'utf8', maxBuffer: 1 << 26, timeout: 120_000 });
  cases = out.trim().split('\n').map((l) => JSON.parse(l) as SwinCase | MergeCase);
});

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/** A weight's name as the exporters see it (tfjs' scoped name, before its uniquifying suffix). */
const weightName = (w: tf.LayerVariable) => (w as unknown as { originalName: string }).originalName;

/** The fixture graph of one block on [H, W, C], compiled; returns the model and the block's layer. */
function build(type: string, params: Record<string, unknown>, shape: number[]) {
  const c = compile(fixtureGraph(getBlock(type)!, { params, inputs: [[null, ...shape]] }));
  return { c, layer: c.layersByNode.get('b')![0]! };
}

const swinParams = (k: SwinCase) => ({ windowSize: k.ws, shiftSize: k.shift, numHeads: k.heads, qkvBias: k.qkvBias, projBias: k.projBias });

describe('ShiftedWindowAttention vs torchvision', () => {
  it('has six reference cases', () => expect(cases.filter((k) => k.kind === 'swin').length).toBe(6));
  for (const name of ['shifted', 'regular', 'padded and shifted', 'window covers H', 'one window', 'Swin-T sized']) {
    it(`matches torchvision within 1e-5: ${name}`, () => {
      const k = cases.find((x) => x.kind === 'swin' && x.name === name) as SwinCase;
      const { c, layer } = build('ShiftedWindowAttention', swinParams(k), [k.h, k.w, k.c]);
      try {
        const f = (a: number[]) => Float32Array.from(a);
        const ws: tf.Tensor[] = [tf.tensor(transpose2d(f(k.qkv_weight), 3 * k.c, k.c).data, [k.c, 3 * k.c])];
        if (k.qkv_bias) ws.push(tf.tensor(k.qkv_bias, [3 * k.c]));
        ws.push(tf.tensor(transpose2d(f(k.proj_weight), k.c, k.c).data, [k.c, k.c]));
        if (k.proj_bias) ws.push(tf.tensor(k.proj_bias, [k.c]));
        ws.push(tf.tensor(k.table, [(2 * k.ws - 1) ** 2, k.heads]));
        layer.setWeights(ws);
        const y = tf.tidy(() => (c.model.predict(tf.tensor(k.x, [2, k.h, k.w, k.c])) as tf.Tensor).dataSync().slice());
        const ref = Math.max(...k.y.map(Math.abs));
        expect(ref).toBeGreaterThan(0.5);
        // 1e-5 relative to the output scale (outputs reach ~26 in the Swin-T sized case; float32 sums).
        expect(maxDiff(y, k.y)).toBeLessThanOrEqual(1e-5 * Math.max(1, ref));
        ws.forEach((t) => t.dispose());
      } finally {
        c.model.dispose();
      }
    });
  }

  it('keeps the weight names, order and shapes the importer relies on', () => {
    const { c, layer } = build('ShiftedWindowAttention', { windowSize: 4, shiftSize: 2, numHeads: 3 }, [8, 8, 12]);
    expect(layer.weights.map((w) => [weightName(w), w.shape])).toEqual([
      ['b/qkv/kernel', [12, 36]],
      ['b/qkv/bias', [36]],
      ['b/proj/kernel', [12, 12]],
      ['b/proj/bias', [12]],
      ['b/relative_position_bias_table', [49, 3]],
    ]);
    c.model.dispose();
    const noBias = build('ShiftedWindowAttention', { windowSize: 2, numHeads: 1, qkvBias: false, projBias: false }, [4, 4, 2]);
    expect(noBias.layer.weights.map(weightName)).toEqual(['b/qkv/kernel', 'b/proj/kernel', 'b/relative_position_bias_table']);
    noBias.c.model.dispose();
  });

  it('passes gradients to all five weights (shifted, padded)', () => {
    const { c, layer } = build('ShiftedWindowAttention', { windowSize: 3, shiftSize: 1, numHeads: 2 }, [5, 7, 4]);
    try {
      const x = tf.randomNormal([2, 5, 7, 4], 0, 1, 'float32', 3);
      const target = tf.randomNormal([2, 5, 7, 4], 0, 1, 'float32', 4);
      const { grads } = tf.variableGrads(() => tf.losses.meanSquaredError(target, c.model.apply(x) as tf.Tensor) as tf.Scalar, layer.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val));
      const norms = Object.values(grads).map((g) => g.abs().sum().dataSync()[0]!);
      expect(norms.length).toBe(5);
      for (const n of norms) expect(n).toBeGreaterThan(0);
    } finally {
      c.model.dispose();
    }
  });
});

describe('PatchMerging vs torchvision', () => {
  for (const name of ['even', 'odd', 'one row']) {
    it(`equals _patch_merging_pad exactly: ${name}`, () => {
      const k = cases.find((x) => x.kind === 'merge' && x.name === name) as MergeCase;
      const { c } = build('PatchMerging', {}, [k.h, k.w, k.c]);
      const y = tf.tidy(() => c.model.predict(tf.tensor(k.x, [2, k.h, k.w, k.c])) as tf.Tensor);
      expect(y.shape).toEqual(k.yShape);
      expect(maxDiff(y.dataSync(), k.y)).toBe(0);
      y.dispose();
      c.model.dispose();
    });
  }
});

describe('Swin window geometry', () => {
  it('indexes the bias table like torchvision (ws 2)', () => {
    // torchvision's relative_position_index for a 2×2 window.
    expect(Array.from(relativePositionIndex(2))).toEqual([4, 3, 1, 0, 5, 4, 2, 1, 7, 6, 4, 3, 8, 7, 5, 4]);
  });
  it('drops the shift along an axis one window covers, and pads to whole windows', () => {
    expect(swinGeometry(5, 9, 6, 3)).toMatchObject({ ph: 6, pw: 12, sh: 0, sw: 3, shifted: true });
    expect(swinGeometry(6, 6, 8, 4)).toMatchObject({ ph: 8, pw: 8, sh: 0, sw: 0, shifted: false });
  });
  it('masks −100 only between regions the shift brought together', () => {
    // 4×4 map, ws 2, shift 1: the last window along both axes mixes four regions.
    const m = shiftMask(swinGeometry(4, 4, 2, 1));
    const window = (k: number) => Array.from(m.slice(k * 16, (k + 1) * 16));
    expect(window(0).every((v) => v === 0)).toBe(true);
    expect(window(3).filter((v) => v === -100).length).toBe(12);
    expect(window(1).filter((v) => v === -100).length).toBe(8);
  });
});

describe('shape errors', () => {
  const issues = (type: string, params: Record<string, unknown>, shape: (number | null)[]) =>
    analyze(fixtureGraph(getBlock(type)!, { params, inputs: [[null, ...shape]] })).errors.map((e) => e.message).join('\n');
  it('names a head count that does not divide the channels', () => {
    expect(issues('ShiftedWindowAttention', { windowSize: 4, numHeads: 5 }, [8, 8, 12])).toContain('12 channels do not split into 5 heads');
  });
  it('refuses a shift as large as the window', () => {
    expect(issues('ShiftedWindowAttention', { windowSize: 4, shiftSize: 4 }, [8, 8, 12])).toContain('shiftSize 4 must be smaller than windowSize 4');
  });
  it('wants a 2-D map with known sizes', () => {
    expect(issues('ShiftedWindowAttention', { numHeads: 1 }, [8, 12])).toContain('ShiftedWindowAttention needs a 3-D');
    expect(issues('PatchMerging', {}, [null, 8, 4])).toContain('PatchMerging needs a known height, width and channel count, got');
  });
});
