// A tiny Swin stage built from the blocks as a user would wire it (patch embedding, two
// pre-norm residual window-attention blocks — regular, then shifted — patch merging with its
// LayerNorm and bias-free Dense, pooling, classifier): it validates, compiles, trains (the loss
// is finite and moves), its ONNX export matches tfjs in onnxruntime and its model.py matches tfjs
// in torch (Debian's python3-torch, through src/pytorch/parity.py as the PyTorch contract test).
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GraphDoc } from '../src/core/graph';
import { analyze } from '../src/core/infer';
import { compile } from '../src/core/compile';
import { compiledParity } from '../src/onnx/parity';
import { seedWeights } from '../src/onnx/seedWeights';
import { writeParityCase, type ParityResult } from '../src/pytorch/parityCase';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function swinStage(): GraphDoc {
  const nodes: GraphDoc['nodes'] = [
    { id: 'img', type: 'Input', params: { shape: [32, 32, 3] } },
    { id: 'embed', type: 'Conv2D', params: { filters: 12, kernelSize: [4, 4], strides: [4, 4] } },
    { id: 'norm0', type: 'LayerNormalization', params: { epsilon: 1e-5 } },
    { id: 'n1', type: 'LayerNormalization', params: { epsilon: 1e-5 } },
    { id: 'w1', type: 'ShiftedWindowAttention', params: { windowSize: 4, shiftSize: 0, numHeads: 3 } },
    { id: 'r1', type: 'Add', params: {} },
    { id: 'n2', type: 'LayerNormalization', params: { epsilon: 1e-5 } },
    { id: 'w2', type: 'ShiftedWindowAttention', params: { windowSize: 4, shiftSize: 2, numHeads: 3 } },
    { id: 'r2', type: 'Add', params: {} },
    { id: 'merge', type: 'PatchMerging', params: {} },
    { id: 'n3', type: 'LayerNormalization', params: { epsilon: 1e-5 } },
    { id: 'reduce', type: 'Dense', params: { units: 24, useBias: false } },
    { id: 'pool', type: 'GlobalAveragePooling2D', params: {} },
    { id: 'head', type: 'Dense', params: { units: 5, activation: 'softmax' } },
  ];
  const e = (source: string, target: string, targetHandle = 'in') => ({ source, target, targetHandle });
  const edges = [
    e('img', 'embed'),
    e('embed', 'norm0'),
    e('norm0', 'n1'),
    e('n1', 'w1'),
    e('norm0', 'r1', 'in0'),
    e('w1', 'r1', 'in1'),
    e('r1', 'n2'),
    e('n2', 'w2'),
    e('r1', 'r2', 'in0'),
    e('w2', 'r2', 'in1'),
    e('r2', 'merge'),
    e('merge', 'n3'),
    e('n3', 'reduce'),
    e('reduce', 'pool'),
    e('pool', 'head'),
  ];
  return { format: 'neural-blocks.graph', version: 1, name: 'swin-stage', nodes, edges };
}

describe('a tiny Swin stage', () => {
  it('infers the shapes through the stage', () => {
    const a = analyze(swinStage());
    expect(a.errors).toEqual([]);
    expect(a.nodes.get('w2')!.outputShapes!.out).toEqual([null, 8, 8, 12]);
    expect(a.nodes.get('merge')!.outputShapes!.out).toEqual([null, 4, 4, 48]);
    expect(a.nodes.get('head')!.outputShapes!.out).toEqual([null, 5]);
  });

  it('trains: one step changes a finite loss', async () => {
    const c = compile(swinStage(), { seed: 7 });
    try {
      c.model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
      const x = tf.randomNormal([4, 32, 32, 3], 0, 1, 'float32', 1);
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 5);
      const before = (c.model.evaluate(x, y) as tf.Scalar).dataSync()[0]!;
      await c.model.trainOnBatch(x, y);
      const after = (c.model.evaluate(x, y) as tf.Scalar).dataSync()[0]!;
      expect(Number.isFinite(before) && Number.isFinite(after)).toBe(true);
      expect(Math.abs(after - before)).toBeGreaterThan(1e-4);
      tf.dispose([x, y]);
    } finally {
      c.model.dispose();
    }
  });

  it('exports to ONNX and matches onnxruntime', async () => {
    const doc = swinStage();
    const c = compile(doc, { seed: 7 });
    try {
      const r = await compiledParity(c, { ort, seed: 1, exportOptions: { graph: doc } });
      expect(r.outputs.length).toBe(1);
      expect(r.outputs[0]!.tfjsShape).toBeUndefined();
      expect(r.outputs[0]!.shape).toEqual([2, 5]);
      expect(r.outputs[0]!.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    } finally {
      c.model.dispose();
    }
  });

  it('writes a model.py that matches tfjs in torch', () => {
    const root = mkdtempSync(join(tmpdir(), 'nb-swin-stage-'));
    try {
      writeParityCase(join(root, 'stage'), swinStage(), 5, (c, seed) => seedWeights(c, seed, 'parity'));
      const parity = new URL('../src/pytorch/parity.py', import.meta.url).pathname;
      const r = spawnSync('/usr/bin/python3', [parity, root], { encoding: 'utf8', timeout: 300_000 });
      expect(r.status, r.stderr).toBe(0);
      const res = (JSON.parse(readFileSync(join(root, 'results.json'), 'utf8')) as Record<string, ParityResult>).stage!;
      expect(res.error).toBeUndefined();
      expect(res.outputs!.length).toBe(1);
      expect(res.outputs![0]!.shape).toBeUndefined();
      expect(res.outputs![0]!.max!).toBeLessThanOrEqual(1e-5);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
