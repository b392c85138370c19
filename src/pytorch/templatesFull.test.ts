// PyTorch parity for the smaller ImageNet templates at their real input size (224×224×3).
// pytorch.test.ts runs every template, but those over 10⁸ multiply-adds on the smallest square
// image their layers accept (tfjs' pure-JS CPU backend takes tens of seconds to minutes per
// full-size forward); this file runs ResNet-18 and AlexNet as they are, batch 1, all weights
// seeded ("parity": glorot kernels, random biases and BatchNorm statistics). The larger family
// members (ResNet-34/50/101/152, VGG-11…19) share their blocks and are covered at reduced size.
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphDoc } from '../core/graph';
import { seedWeights } from '../onnx/seedWeights';
import { writeParityCase, type ParityResult } from './parityCase';

const HERE = dirname(fileURLToPath(import.meta.url));
const FULL = ['resnet18', 'alexnet'];
let root = '';
let results: Record<string, ParityResult> = {};

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = mkdtempSync(join(tmpdir(), 'nb-pytorch-full-'));
  for (const [i, name] of FULL.entries()) {
    const doc = JSON.parse(readFileSync(join(HERE, '../../templates', `${name}.json`), 'utf8')) as GraphDoc;
    writeParityCase(join(root, name), doc, 31 + i, (c, seed) => seedWeights(c, seed, 'parity'), 1);
  }
  const r = spawnSync('/usr/bin/python3', [join(HERE, 'parity.py'), root], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`parity.py failed (${r.status}): ${r.stderr}`);
  results = JSON.parse(readFileSync(join(root, 'results.json'), 'utf8')) as Record<string, ParityResult>;
}, 1_200_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('PyTorch parity with tfjs, ImageNet templates at 224×224', () => {
  for (const name of FULL)
    it(`template ${name}.json at full size`, () => {
      const r = results[name];
      expect(r?.error, 'python error').toBeUndefined();
      expect(r!.outputs!.length).toBe(1);
      for (const o of r!.outputs!) {
        expect(o.shape, 'shape').toBeUndefined();
        console.log(`${name} 224×224: max |torch − tfjs| ${o.max!.toExponential(2)} (outputs up to ${o.scale!.toFixed(3)})`);
        // As pytorch.test.ts for templates: 1e-4, relative once outputs exceed 1.
        expect(o.max!).toBeLessThanOrEqual(1e-4 * Math.max(1, o.scale!));
      }
    });
});
