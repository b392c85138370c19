// The generated docs stay in sync with the registry, and every template is a valid document
// under the committed JSON Schema (docs/graph.schema.json).
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BLOCKS } from '../../blocks/index';
import { buildBlocksMarkdown, buildCategoriesCss, buildGraphSchema } from '../../scripts/schema';
import { validate, type Schema } from '../../scripts/jsonSchema';

const ROOT = resolve(__dirname, '../..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
const schema = JSON.parse(read('docs/graph.schema.json')) as Schema;

describe('generated docs', () => {
  it('docs/graph.schema.json equals the schema generated from the registry (run npx tsx scripts/gen-schema.ts)', () => {
    expect(JSON.parse(read('docs/graph.schema.json'))).toEqual(buildGraphSchema(BLOCKS));
  });

  it('src/ui/categories.css equals the colours generated from CATEGORIES (run npx tsx scripts/gen-schema.ts)', () => {
    expect(read('src/ui/categories.css')).toBe(buildCategoriesCss());
  });

  it('docs/blocks.md equals the reference generated from the registry (run npx tsx scripts/gen-schema.ts)', () => {
    expect(read('docs/blocks.md')).toBe(buildBlocksMarkdown(BLOCKS));
  });

  it('docs/blocks.md documents every block type with its params', () => {
    const md = read('docs/blocks.md');
    for (const b of BLOCKS) {
      expect(md).toContain(`### ${b.type}\n`);
      for (const p of Object.keys(b.params)) expect(md).toContain(`| \`${p}\` |`);
    }
  });
});

describe('the JSON Schema', () => {
  const templates = readdirSync(join(ROOT, 'templates'))
    .filter((f) => f.endsWith('.json') && f !== 'index.json')
    .sort();

  it('there are templates to check', () => {
    expect(templates.length).toBeGreaterThan(0);
  });

  it.each(templates)('templates/%s validates', (f) => {
    expect(validate(schema, JSON.parse(read(`templates/${f}`)))).toEqual([]);
  });

  const ok = {
    format: 'neural-blocks.graph',
    version: 1,
    name: 'tiny',
    nodes: [
      { id: 'x', type: 'Input', params: { shape: [null, 8] }, position: { x: 0, y: 0 } },
      { id: 'd', type: 'Dense', params: { units: 4, activation: 'relu' }, label: 'head' },
      { id: 'c', type: 'Conv2D', params: { kernelSize: 3, strides: [2, 1] } },
    ],
    edges: [{ source: 'x', target: 'd', sourceHandle: null, targetHandle: 'in', id: 'e1' }],
  };

  it('accepts a minimal valid document', () => {
    expect(validate(schema, ok)).toEqual([]);
  });

  const bad: [string, (d: any) => void, RegExp, string][] = [
    ['a wrong format', (d) => (d.format = 'keras'), /must be "neural-blocks\.graph"/, '/format'],
    ['version 2', (d) => (d.version = 2), /must be 1/, '/version'],
    ['nodes not a list', (d) => (d.nodes = {}), /must be array/, '/nodes'],
    ['an unknown block type', (d) => (d.nodes[1].type = 'Dense2'), /must be one of/, '/nodes/1/type'],
    ['an unknown param', (d) => (d.nodes[1].params.unit = 3), /unknown property "unit"/, '/nodes/1/params/unit'],
    ['a param of the wrong type', (d) => (d.nodes[1].params.units = '4'), /must be integer/, '/nodes/1/params/units'],
    ['a param out of range', (d) => (d.nodes[1].params.units = 0), /must be ≥ 1/, '/nodes/1/params/units'],
    ['an enum param off the list', (d) => (d.nodes[1].params.activation = 'relux'), /must be one of/, '/nodes/1/params/activation'],
    ['a pair param of the wrong length', (d) => (d.nodes[2].params.kernelSize = [3, 3, 3]), /must match one of/, '/nodes/2/params/kernelSize'],
    ['Input without shape', (d) => delete d.nodes[0].params.shape, /missing required property "shape"/, '/nodes/0/params'],
    ['an edge without target', (d) => delete d.edges[0].target, /missing required property "target"/, '/edges/0'],
    ['an unknown top-level field', (d) => (d.nodez = []), /unknown property "nodez"/, '/nodez'],
  ];
  it.each(bad)('rejects %s', (_what, mutate, re, path) => {
    const d = structuredClone(ok);
    mutate(d);
    const errors = validate(schema, d);
    expect(errors.some((e) => e.path === path && re.test(e.message)), JSON.stringify(errors)).toBe(true);
  });
});
