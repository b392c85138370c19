// Template tests, part 1: the catalog and the files as a whole, the torch reference, and the
// ImageNet-size templates (AlexNet, VGG, ResNet). The small templates run in
// templates-small.test.ts and templates-sequence.test.ts (the same suite, templateSuite.ts).
import * as tf from '@tensorflow/tfjs';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildAll, buildTemplate, TEMPLATES } from './catalog';
import { galleryIndex } from './lib/gallery';
import { serializeGraph } from '../src/core/graph';
import { TORCH_REFERENCE, TORCHVISION_PUBLISHED } from './torchReference';
import { EXPECTED_TRAINABLE, PARTS, here, templateSuite } from './templateSuite';

const ALL = buildAll();

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('template files', () => {
  it('the catalog has the templates the issue asks for, with unique names', () => {
    const names = TEMPLATES.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of ['alexnet', 'vgg11', 'vgg13', 'vgg16', 'vgg19', 'vgg16-bn', 'resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152', 'seq2seq-attention', 'seq2seq-bahdanau'])
      expect(names).toContain(n);
    expect(Object.keys(EXPECTED_TRAINABLE).sort()).toEqual([...names].sort());
  });

  it('every template is tested in exactly one of the test files\' parts', () => {
    for (const t of TEMPLATES) expect(Object.values(PARTS).filter((p) => p(t.name)).length, t.name).toBe(1);
  });

  it('templates/ holds exactly the generated files (no stale or hand-edited ones)', () => {
    const json = readdirSync(here).filter((f) => f.endsWith('.json') && f !== 'index.json');
    expect(json.sort()).toEqual(TEMPLATES.map((t) => `${t.name}.json`).sort());
    const golden = readdirSync(join(here, 'golden'));
    expect(golden.sort()).toEqual(TEMPLATES.map((t) => `${t.name}.shapes.txt`).sort());
    const index = readFileSync(join(here, 'index.json'), 'utf8');
    expect(index, 'templates/index.json is stale: run npx tsx templates/generate.ts').toBe(JSON.stringify(galleryIndex(ALL), null, 2) + '\n');
  });
});

describe('torch reference', () => {
  it('equals torchvision\'s published parameter counts and MACs (2-decimal GMACs)', () => {
    for (const [name, pub] of Object.entries(TORCHVISION_PUBLISHED)) {
      const ref = TORCH_REFERENCE[name]!;
      expect(ref.params, name).toBe(pub.params);
      // The table rounds to 0.01 G, so the reference is within ±0.005 G of it.
      expect(Math.abs(ref.macs / 1e9 - pub.gmacs), name).toBeLessThanOrEqual(0.005 + 1e-9);
    }
  });

  it('builds a template fresh each time (the generator is deterministic)', () => {
    const t = TEMPLATES.find((x) => x.name === 'resnet18')!;
    expect(serializeGraph(buildTemplate(t))).toBe(serializeGraph(buildTemplate(t)));
  });
});

templateSuite(PARTS.imagenet);
