// torchvision models as users export them (Debian's python3-torch 1.13, torchvision 0.14; random
// weights, BatchNorm statistics randomised: src/import/torch_zoo_models.py), imported op by op
// and compared with onnxruntime on the original file by the CLI's own check
// (import/compare.ts). A lean sample at small input sizes — the full table over every family at
// full size is scripts/import-zoo-table.ts:
// - ResNet-18 exported with TrainingMode.PRESERVE keeps its BatchNorms: trainable parameters
//   equal torch's exactly; the default export folds them, and the report says how to keep them.
//   Input sizes are the smallest each model takes (32×32; Inception v3 75×75): CI time.
// - ConvNeXt-T at opset 17: LayerNorm2d (native LayerNormalization between transposes), exact
//   GELU written out with Erf, layer scale (a per-channel constant Mul).
// - Inception v3 with transform_input (per-channel affine written channel by channel).
// - Swin-T at 32×32, opset 17: shifted-window attention (padding, roll, relative position bias,
//   shift mask computed at run time) and patch merging, each fused into one block.
// - The CLI: `import --compare` prints the difference; ConvNeXt at opset 13 (LayerNorm written
//   out) is refused with every blocker grouped by op, and nothing is written.
//
// Needs /usr/bin/python3 with torch and torchvision (apt: python3-torch python3-torchvision);
// without them these tests fail, they are never skipped.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphDoc } from '../core/graph';
import { onnxReader } from '../onnx/read';
import { importCommand } from '../cli/commands/import';
import { compareImported } from './compare';
import { importOnnx } from './index';
import { readOnnx } from './onnx/index';

const PY = '/usr/bin/python3';
const reader = onnxReader(readFileSync(new URL('../onnx/onnx.proto', import.meta.url), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'nb-zoo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** torch's trainable parameter count per exported file. */
const torchParams: Record<string, number> = {};

beforeAll(async () => {
  // The comparisons run on WASM (the CLI's --compare, tested last, sets the CPU backend).
  await tf.setBackend('wasm');
  // [opset, extra args, size, names]
  const runs: [number, string[], number, string[]][] = [
    [13, ['--preserve'], 32, ['resnet18']],
    [17, [], 32, ['resnet18']],
    [17, [], 32, ['convnext_tiny']],
    [13, [], 32, ['convnext_tiny']],
    [13, [], 75, ['inception_v3']],
    [17, [], 32, ['swin_t']],
  ];
  for (const [opset, extra, size, names] of runs) {
    const r = spawnSync(PY, [new URL('./torch_zoo_models.py', import.meta.url).pathname, dir, String(opset), ...extra, '--size', String(size), ...names], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`torchvision export failed; these tests need ${PY} with torch and torchvision (apt install python3-torch python3-torchvision): ${r.stderr || r.error}`);
    for (const line of r.stdout.trim().split('\n')) {
      const j = JSON.parse(line) as { path: string; params?: number; error?: string };
      if (j.error) throw new Error(`torch could not export ${j.path}: ${j.error}`);
      torchParams[j.path.split('/').pop()!] = j.params!;
    }
  }
}, 600_000);

async function check(file: string) {
  const bytes = new Uint8Array(readFileSync(join(dir, file)));
  const r = importOnnx(bytes, reader, { source: file });
  const c = await compareImported(bytes, readOnnx(bytes, reader), r, { ort: ort as never, seed: 3 });
  return { r, c, torch: torchParams[file]! };
}

const count = (doc: GraphDoc, type: string) => doc.nodes.filter((n) => n.type === type).length;

describe('torchvision models imported and compared with onnxruntime (batch 2)', () => {
  it('ResNet-18 exported with TrainingMode.PRESERVE keeps its 20 BatchNorms: trainable parameters equal torch\'s', async () => {
    const { r, c, torch } = await check('resnet18_o13_bn.onnx');
    expect(count(r.doc, 'BatchNormalization')).toBe(20);
    expect(c.trainableParams).toBe(torch);
    expect(torch).toBe(11_689_512);
    expect(c.outputs[0]!.refMaxAbs).toBeGreaterThan(0.1);
    expect(c.maxAbsDiff).toBeLessThanOrEqual(1e-4 * Math.max(1, c.outputs[0]!.refMaxAbs));
    expect(r.report.notes.join('\n')).not.toMatch(/folded/);
  }, 120_000);

  it('ResNet-18 exported by default has its BatchNorms folded into the convs, and the report names PRESERVE (it matches: the --compare test below)', () => {
    const file = 'resnet18_o17.onnx';
    const r = importOnnx(new Uint8Array(readFileSync(join(dir, file))), reader, { source: file });
    expect(count(r.doc, 'BatchNormalization')).toBe(0);
    const note = r.report.notes.find((n) => /folded/.test(n));
    expect(note).toMatch(/^20 of 20 Conv ops have a BatchNorm folded into their weights/);
    expect(note).toMatch(/training=torch\.onnx\.TrainingMode\.PRESERVE/);
    // Folding drops BatchNorm's scale and shift but gives the bias-free convs a bias.
    const params = Object.entries(r.weights).filter(([k]) => !/moving_/.test(k)).reduce((n, [, w]) => n + w.data.length, 0);
    expect(params).toBe(11_689_512 - 9_600 + 4_800);
    expect(params).not.toBe(torchParams[file]);
  }, 120_000);

  it('ConvNeXt-T at opset 17: LayerNorm2d, exact GELU and layer scale; parameters equal torch\'s', async () => {
    const { r, c, torch } = await check('convnext_tiny_o17.onnx');
    expect(count(r.doc, 'LayerNormalization')).toBe(23);
    expect(count(r.doc, 'LayerScale')).toBe(18);
    expect(r.doc.nodes.filter((n) => n.params?.activation === 'gelu')).toHaveLength(18);
    expect(c.trainableParams).toBe(torch);
    expect(c.outputs[0]!.refMaxAbs).toBeGreaterThan(0.1);
    expect(c.maxAbsDiff).toBeLessThanOrEqual(1e-4 * Math.max(1, c.outputs[0]!.refMaxAbs));
  }, 180_000);

  it("Swin-T at 32×32, opset 17: 12 ShiftedWindowAttention (only stage 1's 8×8 map is shifted), 3 PatchMerging; parameters equal torch's", async () => {
    const { r, c, torch } = await check('swin_t_o17.onnx');
    const swa = r.doc.nodes.filter((n) => n.type === 'ShiftedWindowAttention').map((n) => n.params!);
    // Stage 1: 8×8 padded to 14×14 (window 7 < 14: shifted by 3); the later maps (4×4, 2×2, 1×1) pad to one window, so torch drops the shift.
    expect(swa.map((p) => `${p.shiftSize}/${p.numHeads}`)).toEqual(['0/3', '3/3', '0/6', '0/6', ...Array(6).fill('0/12'), '0/24', '0/24']);
    expect(swa.every((p) => p.windowSize === 7)).toBe(true);
    expect(count(r.doc, 'PatchMerging')).toBe(3);
    expect(c.trainableParams).toBe(torch);
    expect(torch).toBe(28_288_354);
    expect(c.outputs[0]!.refMaxAbs).toBeGreaterThan(0.1);
    expect(c.maxAbsDiff).toBeLessThanOrEqual(1e-4 * Math.max(1, c.outputs[0]!.refMaxAbs));
  }, 180_000);

  it('Inception v3 with transform_input: the per-channel affine is one frozen 1×1 DepthwiseConv2D', async () => {
    const { r, c, torch } = await check('inception_v3_o13.onnx');
    const affine = r.doc.nodes.filter((n) => n.trainable === false);
    expect(affine.map((n) => n.type)).toEqual(['DepthwiseConv2D']);
    expect(Array.from(r.weights[`${affine[0]!.id}/depthwise_kernel`]!.data)).toEqual(Array.from(Float32Array.from([0.229 / 0.5, 0.224 / 0.5, 0.225 / 0.5])));
    expect(c.maxAbsDiff).toBeLessThanOrEqual(1e-4 * Math.max(1, c.outputs[0]!.refMaxAbs));
    // Folded BatchNorms change the count (see ResNet-18); the frozen affine adds nothing to it.
    expect(c.trainableParams).toBeLessThan(torch);
  }, 180_000);
});

/** Runs the import command in-process, collecting its output. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await importCommand.run(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('neural-blocks import (torchvision files)', () => {
  it('--compare prints the largest difference from onnxruntime and exits 0 within tolerance', async () => {
    const file = join(dir, 'resnet18_o17.onnx');
    const r = await cli(file, '--compare');
    expect(r.code, r.err).toBe(0);
    const m = r.out.match(/max \|imported \(tfjs\) − onnxruntime\| = ([\d.e+-]+) \(ok, tolerance 0\.0001 × max\(1, largest \|output\|\); random input input \[2, 3, 32, 32\], seed 1\)/);
    expect(m, r.out).not.toBeNull();
    expect(Number(m![1])).toBeLessThan(1e-3);
    expect(r.out).toMatch(/^ {2}output {2}\[2, 1000\] {2}[\d.e+-]+ \(largest \|value\| [\d.]+\)$/m);
    expect(r.err).toMatch(/note: 20 of 20 Conv ops have a BatchNorm folded/);
  }, 180_000);

  it('ConvNeXt-T at opset 13: its LayerNorms written out as ReduceMean…Sqrt…Div are recognised; parameters equal torch\'s', async () => {
    const { r, c, torch } = await check('convnext_tiny_o13.onnx');
    expect(count(r.doc, 'LayerNormalization')).toBe(23);
    expect(count(r.doc, 'LayerScale')).toBe(18);
    expect(c.trainableParams).toBe(torch);
    expect(c.outputs[0]!.refMaxAbs).toBeGreaterThan(0.1);
    expect(c.maxAbsDiff).toBeLessThanOrEqual(1e-4 * Math.max(1, c.outputs[0]!.refMaxAbs));
  }, 180_000);
});
