// A block owns its custom tfjs layers and its model.py Python: a class or snippet that only one
// block uses must live in blocks/ (its module, or a file next to it) and reach the app through
// the BlockSpec (tfjsLayers, pytorchPrelude), never through a hand-kept list elsewhere. Shared
// pieces (used by several blocks) may live in a shared module.
import * as tf from '@tensorflow/tfjs';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AnyBlockSpec, PytorchSnippet } from '../src/core/spec';

const ROOT = join(__dirname, '..');
// Serializables that are not any block's layer: activations and initializers a layer's config
// may name (src/core/layers/activations.ts, scaledNormal.ts; orthogonal.ts replaces tfjs' own
// "Orthogonal") and the compiler's TensorCopy (src/core/compile.ts). They register themselves.
const SHARED = ['hardSwish', 'hardSigmoidTorch', 'geluTanh', 'normal0.01', 'normal1', 'TensorCopy'];

const classNames = () => new Set(Object.keys(tf.serialization.SerializationMap.getMap().classNameMap));
// What tfjs registers itself, taken before anything of ours is imported (the imports below are dynamic).
const builtIn = classNames();

let BLOCKS: readonly AnyBlockSpec[];
let owners: Map<string, { block: string }[]>;
let prelude: typeof import('../src/pytorch/prelude');

beforeAll(async () => {
  ({ BLOCKS } = await import('./index'));
  await import('../src/core/compile');
  owners = (await import('../src/core/layers/register')).tfjsLayerOwners(BLOCKS);
  prelude = await import('../src/pytorch/prelude');
});

/** Non-test TypeScript sources under a folder, with their text. */
function sources(dir: string): { file: string; text: string }[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => ({ file: relative(ROOT, join(ROOT, dir, f)), text: readFileSync(join(ROOT, dir, f), 'utf8') }));
}
const ALL = () => [...sources('blocks'), ...sources('src')];

/** The blocks whose snippets (with everything they require) include each snippet, by name. */
function snippetUsers(): Map<string, { snippet: PytorchSnippet; blocks: Set<string> }> {
  const out = new Map<string, { snippet: PytorchSnippet; blocks: Set<string> }>();
  const visit = (s: PytorchSnippet, block: string) => {
    const e = out.get(s.name) ?? { snippet: s, blocks: new Set<string>() };
    e.blocks.add(block);
    out.set(s.name, e);
    for (const r of s.requires ?? []) visit(r, block);
  };
  for (const b of BLOCKS) for (const s of b.pytorchPrelude ?? []) visit(s, b.type);
  return out;
}

describe('custom tfjs layers belong to their blocks', () => {
  it('every custom class registered with tf.serialization is brought by a BlockSpec (or is a shared activation/initializer)', () => {
    const ours = [...classNames()].filter((n) => !builtIn.has(n));
    const stray = ours.filter((n) => !owners.has(n) && !SHARED.includes(n));
    expect(stray, 'registered outside the registry: list the class in its block\'s tfjsLayers').toEqual([]);
    // And every class a block lists is registered (compile → save → load keeps working).
    for (const name of owners.keys()) expect(classNames().has(name), name).toBe(true);
    expect(owners.size).toBeGreaterThan(15);
  });

  it('a layer class only one block brings is defined in blocks/, and every class in blocks/ is listed', () => {
    const defs = new Map<string, string>();
    for (const { file, text } of ALL()) for (const m of text.matchAll(/static (?:override )?className = '(\w+)'/g)) defs.set(m[1]!, file);
    const misplaced = [...owners]
      .filter(([, o]) => new Set(o.map((x) => x.block)).size === 1)
      .map(([name]) => ({ name, file: defs.get(name) }))
      .filter((d) => !d.file?.startsWith('blocks/'));
    expect(misplaced, 'move these classes into their block\'s module').toEqual([]);
    // A class written in blocks/ but listed by no BlockSpec would never be registered (no reload).
    const unlisted = [...defs].filter(([name, file]) => file.startsWith('blocks/') && !owners.has(name)).map(([name, file]) => `${file}: ${name}`);
    expect(unlisted, 'add these classes to their block\'s tfjsLayers').toEqual([]);
  });

  it('no source registers a class by hand except the shared ones', () => {
    const hand = ALL()
      .flatMap(({ file, text }) => [...text.matchAll(/registerClass\((\w+)/g)].map((m) => `${file}: ${m[1]}`))
      .filter((s) => !/src\/core\/layers\/(activations|orthogonal|scaledNormal|tensorCopy|register)\.ts/.test(s));
    expect(hand).toEqual([]);
  });
});

describe('model.py snippets belong to their blocks', () => {
  it('a snippet only one block uses is written in blocks/, and nothing outside blocks/ defines or names it', () => {
    const src = sources('src');
    for (const [name, { snippet, blocks }] of snippetUsers()) {
      const defined = [...prelude.definedNames(snippet.source, 'class'), ...prelude.definedNames(snippet.source, 'value')];
      expect(defined, `snippet ${name} defines its own name`).toContain(name);
      if (blocks.size > 1) continue;
      for (const d of defined) {
        const where = src.filter(({ text }) => new RegExp(`^(class|def) ${d}\\b`, 'm').test(text)).map((f) => f.file);
        expect(where, `${d} (only ${[...blocks][0]} uses it) is written outside blocks/`).toEqual([]);
      }
    }
  });

  it('the assembler and the base prelude name no block-specific class or function', () => {
    const generic = ['src/pytorch/prelude.ts', 'src/pytorch/generate.ts'].map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
    const specific = [...snippetUsers()].filter(([, u]) => u.blocks.size === 1).flatMap(([, u]) => prelude.definedNames(u.snippet.source, 'class').concat(prelude.definedNames(u.snippet.source, 'value')));
    expect(specific.length).toBeGreaterThan(15);
    expect(specific.filter((n) => new RegExp(`\\b${n}\\b`).test(generic))).toEqual([]);
    const baseNames = [prelude.BASE_PRELUDE, prelude.WEIGHTS_PRELUDE].flatMap((s) => [...prelude.definedNames(s, 'class'), ...prelude.definedNames(s, 'value')]);
    expect(baseNames.filter((n) => snippetUsers().has(n))).toEqual([]);
    expect(prelude.definedNames(prelude.BASE_PRELUDE + prelude.WEIGHTS_PRELUDE, 'class'), 'the base prelude defines no nn.Module').toEqual([]);
  });

  it('assembles only what the blocks need, each once, requirements first', async () => {
    const { getBlock } = await import('./index');
    const need = (...types: string[]) => types.flatMap((t) => getBlock(t)!.pytorchPrelude ?? []);
    const bi = prelude.assemblePrelude(need('Bidirectional', 'LSTM', 'GRU', 'Dense'));
    const at = (s: string, text: string) => text.indexOf(s);
    expect(bi.match(/^class Recurrent\b/gm)).toHaveLength(1);
    expect(bi.match(/^class GRU\b/gm)).toHaveLength(1);
    expect(at('class Recurrent(', bi)).toBeLessThan(at('class Bidirectional(', bi));
    expect(at('class GRU(', bi)).toBeLessThan(at('class Bidirectional(', bi));
    expect(bi).not.toMatch(/^class (ConvNd|Attention|Sampling)\b/m);
    const attn = prelude.assemblePrelude(need('MultiHeadAttention', 'Attention', 'AdditiveAttention'));
    expect(attn.match(/^def causal_mask\b/gm)).toHaveLength(1);
    expect(at('def causal_mask(', attn)).toBeLessThan(at('class MultiHeadAttention(', attn));
    // Nothing beyond the base for blocks that need no snippet.
    expect(prelude.assemblePrelude(need('Dense', 'Flatten'))).toBe(prelude.assemblePrelude([]));
    const sep = prelude.assemblePrelude(need('SeparableConv2D'));
    expect(at('class ConvNd(', sep)).toBeGreaterThan(0);
    expect(at('class ConvNd(', sep)).toBeLessThan(at('class SeparableConv2d(', sep));
  });

  it('refuses two different snippets under one name and cycles', () => {
    const a: PytorchSnippet = { name: 'a', source: 'def a():\n    return 1\n' };
    const a2: PytorchSnippet = { name: 'a', source: 'def a():\n    return 2\n' };
    expect(() => prelude.orderSnippets([a, a2])).toThrow(/two different PyTorch prelude snippets are named "a"/);
    const x: PytorchSnippet = { name: 'x', source: 'def x(): pass\n', requires: [] };
    const y: PytorchSnippet = { name: 'y', source: 'def y(): pass\n', requires: [x] };
    (x.requires as PytorchSnippet[]).push(y);
    expect(() => prelude.orderSnippets([y])).toThrow(/cycle: y → x → y/);
  });
});
