// Generates the public, registry-derived docs: docs/graph.schema.json (JSON Schema 2020-12 of a
// graph document, with each block type's params) and docs/blocks.md (the block reference).
// Pure functions of the registry, so a test can check the committed files are up to date.
import { defaultParams } from '../src/core/params';
import { GRAPH_FORMAT, GRAPH_VERSION } from '../src/core/graph';
import { CATEGORIES, CATEGORY_ORDER, isVariadic, type AnyBlockSpec, type Category, type ParamDef } from '../src/core/spec';

/** The node type that places a macro (a named subgraph defined under "macros"). */
export const MACRO_TYPE = 'Macro';

type Json = { [k: string]: unknown };

/** JSON Schema of one param's value (as written in a file, before defaults and expansion). */
export function paramSchema(def: ParamDef): Json {
  const base: Json = { description: def.doc };
  switch (def.kind) {
    case 'int': {
      const s: Json = { type: def.nullable ? ['integer', 'null'] : 'integer' };
      if (def.min !== undefined) s.minimum = def.min;
      if (def.max !== undefined) s.maximum = def.max;
      return { ...base, ...s, default: def.default };
    }
    case 'float': {
      const s: Json = { type: def.nullable ? ['number', 'null'] : 'number' };
      if (def.min !== undefined) s[def.exclusiveMin ? 'exclusiveMinimum' : 'minimum'] = def.min;
      if (def.max !== undefined) s[def.exclusiveMax ? 'exclusiveMaximum' : 'maximum'] = def.max;
      return { ...base, ...s, default: def.default };
    }
    case 'bool':
      return { ...base, type: 'boolean', default: def.default };
    case 'enum':
      return { ...base, enum: [...def.options], default: def.default };
    case 'string':
      return { ...base, type: 'string', default: def.default };
    case 'ints': {
      const entry = { type: 'integer', minimum: def.min ?? 1 };
      return { ...base, anyOf: [entry, { type: 'array', items: entry, minItems: def.length, maxItems: def.length }], default: def.default };
    }
    case 'intList': {
      const alts: Json[] = [{ type: 'integer', minimum: def.min ?? 1 }];
      if (def.allowMinusOne) alts.push({ const: -1 });
      if (def.allowNull) alts.push({ type: 'null' });
      const s: Json = { type: def.required ? 'array' : ['array', 'null'], items: alts.length === 1 ? alts[0] : { anyOf: alts } };
      if (def.minLength !== undefined) s.minItems = def.minLength;
      return { ...base, ...s, ...(def.required ? {} : { default: def.default }) };
    }
    case 'padding2d': {
      const n = { type: 'integer', minimum: 0 };
      const pair = { type: 'array', items: n, minItems: 2, maxItems: 2 };
      return { ...base, anyOf: [n, pair, { type: 'array', items: pair, minItems: 2, maxItems: 2 }], default: def.default };
    }
  }
}

function requiredParams(spec: AnyBlockSpec): string[] {
  return Object.entries(spec.params as Record<string, ParamDef>)
    .filter(([, d]) => d.kind === 'intList' && d.required && d.default === null)
    .map(([k]) => k);
}

export function paramsSchema(spec: AnyBlockSpec): Json {
  const props: Record<string, Json> = {};
  for (const [k, d] of Object.entries(spec.params as Record<string, ParamDef>)) props[k] = paramSchema(d);
  const req = requiredParams(spec);
  return {
    description: `Params of ${spec.type}. Unset params take their defaults.`,
    type: 'object',
    properties: props,
    ...(req.length ? { required: req } : {}),
    additionalProperties: false,
  };
}

/** The JSON Schema of a graph document, with every registered block type's params. */
export function buildGraphSchema(blocks: readonly AnyBlockSpec[]): Json {
  const types = blocks.map((b) => b.type);
  const perType: Json[] = blocks.map((b) => {
    const req = requiredParams(b);
    return {
      if: { properties: { type: { const: b.type } }, required: ['type'] },
      then: { ...(req.length ? { required: ['params'] } : {}), properties: { params: { $ref: `#/$defs/params/${b.type}` } } },
    };
  });
  perType.push({
    if: { properties: { type: { const: MACRO_TYPE } }, required: ['type'] },
    then: { required: ['params'], properties: { params: { $ref: '#/$defs/macroParams' } } },
  });
  const params: Record<string, Json> = {};
  for (const b of blocks) params[b.type] = paramsSchema(b);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:neural-blocks:graph:v${GRAPH_VERSION}`,
    title: `Neural Blocks graph (format version ${GRAPH_VERSION})`,
    description:
      'A neural network as blocks (nodes) and tensors (edges). Generated from the block registry by scripts/gen-schema.ts; docs/graph-format.md explains every field. Rules a schema cannot express (unique node ids, edges naming existing nodes and ports, acyclicity, shapes) are checked by `neural-blocks check`.',
    type: 'object',
    required: ['format', 'version', 'nodes', 'edges'],
    properties: {
      $schema: { description: 'Optional path or URL of this schema, for editors; readers ignore it.', type: 'string' },
      format: { description: 'Identifies the file as a Neural Blocks graph.', const: GRAPH_FORMAT },
      version: { description: `Format version. Readers migrate older versions; this schema describes version ${GRAPH_VERSION}.`, const: GRAPH_VERSION },
      name: { description: 'Display name of the model.', type: 'string' },
      description: { description: 'Free text about the model.', type: 'string' },
      nodes: { description: 'The blocks, in document order (which fixes the order of the model inputs and outputs).', type: 'array', items: { $ref: '#/$defs/node' } },
      edges: { description: 'Tensors flowing from an output port of one node to an input port of another.', type: 'array', items: { $ref: '#/$defs/edge' } },
      macros: {
        description: 'Macro definitions by name: a subgraph placed as one node of type "Macro" with params {"name": NAME}.',
        type: 'object',
        additionalProperties: { $ref: '#/$defs/macro' },
      },
      training: { description: 'Training configuration (loss, optimizer, data); read by the training features.', type: 'object' },
      meta: { description: 'Free-form metadata (template card text, source paper, ...). Ignored by the compiler.', type: 'object' },
    },
    additionalProperties: false,
    $defs: {
      node: {
        type: 'object',
        required: ['id', 'type'],
        properties: {
          id: { description: 'Unique within its graph (or macro body). Names the model layers, ONNX values and CLI output.', type: 'string', minLength: 1 },
          type: { description: 'Block type: a tfjs-layers class name (see docs/blocks.md), or "Macro".', enum: [...types, MACRO_TYPE] },
          params: { description: "The block's params by their tfjs camelCase names; unset params take defaults.", type: 'object' },
          position: { $ref: '#/$defs/position' },
          label: { description: 'Display label on the canvas.', type: 'string' },
          trainable: { description: 'false freezes the block: training leaves its weights unchanged (fine-tuning). Default true.', type: 'boolean' },
        },
        additionalProperties: false,
        allOf: perType,
      },
      edge: {
        type: 'object',
        required: ['source', 'target'],
        properties: {
          id: { description: 'Optional edge id (the canvas writes one).', type: ['string', 'null'] },
          source: { description: 'Id of the node the tensor comes from ("$NAME" inside a macro: the macro input NAME).', type: 'string' },
          target: { description: 'Id of the node the tensor goes to.', type: 'string' },
          sourceHandle: { description: 'Output port of the source; may be omitted (or null) when it has one output ("out").', type: ['string', 'null'] },
          targetHandle: {
            description: 'Input port of the target; may be omitted (or null) when it has one input ("in"). Merge blocks: in0, in1, ...; omitted handles of a merge fill the next free slot in edge order.',
            type: ['string', 'null'],
          },
        },
        additionalProperties: false,
      },
      position: {
        description: 'Canvas position (ignored by the compiler).',
        type: 'object',
        required: ['x', 'y'],
        properties: { x: { type: 'number' }, y: { type: 'number' } },
        additionalProperties: false,
      },
      macro: {
        type: 'object',
        required: ['inputs', 'outputs', 'nodes', 'edges'],
        properties: {
          label: { type: 'string' },
          description: { type: 'string' },
          inputs: { description: 'Input port names; inner edges read them as "source": "$NAME".', type: 'array', items: { type: 'string' } },
          outputs: {
            description: 'Output ports: each exposes an inner node (and its port).',
            type: 'array',
            items: {
              type: 'object',
              required: ['name', 'node'],
              properties: { name: { type: 'string' }, node: { type: 'string' }, port: { type: 'string' } },
              additionalProperties: false,
            },
          },
          nodes: { type: 'array', items: { $ref: '#/$defs/node' } },
          edges: { type: 'array', items: { $ref: '#/$defs/edge' } },
        },
        additionalProperties: false,
      },
      macroParams: {
        type: 'object',
        required: ['name'],
        properties: { name: { description: 'Name of a macro defined under "macros".', type: 'string' } },
        additionalProperties: false,
      },
      params,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// docs/blocks.md
// ---------------------------------------------------------------------------------------------

const CATEGORY_TITLE = (c: Category) => CATEGORIES[c].label;

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (v: unknown) => `\`${JSON.stringify(v)}\``;

function rangeText(d: ParamDef): string {
  switch (d.kind) {
    case 'int':
    case 'float': {
      const parts: string[] = [d.kind === 'int' ? 'integer' : 'number'];
      if (d.min !== undefined) parts.push(`${d.kind === 'float' && d.exclusiveMin ? '>' : '≥'} ${d.min}`);
      if (d.max !== undefined) parts.push(`${d.kind === 'float' && d.exclusiveMax ? '<' : '≤'} ${d.max}`);
      if (d.nullable) parts.push('or null');
      return parts.join(', ');
    }
    case 'bool':
      return 'true or false';
    case 'enum':
      return d.options.map((o) => `\`${o}\``).join(', ');
    case 'string':
      return 'string';
    case 'ints':
      return `integer or list of ${d.length} integer${d.length === 1 ? '' : 's'}, each ≥ ${d.min ?? 1}`;
    case 'intList': {
      const parts = [`list of integers ≥ ${d.min ?? 1}`];
      if (d.minLength !== undefined) parts.push(`at least ${d.minLength}`);
      if (d.allowMinusOne) parts.push('one entry may be -1 (inferred)');
      if (d.allowNull) parts.push('null for an unknown size');
      if (d.required) parts.push('**required**');
      return parts.join('; ');
    }
    case 'padding2d':
      return 'integer ≥ 0, a pair [rows, cols], or [[top, bottom], [left, right]]';
  }
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

function portsLine(spec: AnyBlockSpec, p: Record<string, unknown>): { ins: string; outs: string } | undefined {
  const ins = safe(() => spec.inputs(p as never));
  const outs = safe(() => spec.outputs(p as never));
  if (!ins || !outs) return undefined;
  const inText = isVariadic(ins)
    ? `\`in0\`, \`in1\`, … (at least ${ins.min}, in operand order)`
    : ins.length === 0
      ? 'none'
      : ins.some((x) => x.doc)
        ? ins.map((x) => `\n  - \`${x.name}\`${x.optional ? ' (optional)' : ''}${x.doc ? `: ${x.doc}` : ''}`).join('')
        : ins.map((x) => `\`${x.name}\`${x.optional ? ' (optional)' : ''}`).join(', ');
  return { ins: inText, outs: outs.map((o) => `\`${o}\``).join(', ') };
}

function blockSection(spec: AnyBlockSpec): string {
  const lines: string[] = [];
  lines.push(`### ${spec.type}`, '');
  lines.push(`*${spec.label}* · category \`${spec.category}\`${spec.acceptsInt ? ' · takes int32 token ids' : ''}`, '');
  lines.push(spec.docs, '');
  const defaults = defaultParams(spec);
  const base = portsLine(spec, defaults);
  if (base) {
    lines.push(`- Inputs:${base.ins.startsWith('\n') ? '' : ' '}${base.ins}`);
    lines.push(`- Outputs: ${base.outs}`);
    // Ports that depend on a param (returnState → h, c; …): try each bool param flipped.
    for (const [k, d] of Object.entries(spec.params as Record<string, ParamDef>)) {
      if (d.kind !== 'bool') continue;
      const alt = portsLine(spec, { ...defaults, [k]: !d.default });
      if (alt && (alt.ins !== base.ins || alt.outs !== base.outs)) {
        const parts: string[] = [];
        if (alt.ins !== base.ins) parts.push(`inputs ${alt.ins.replace(/\n {2}- /g, ' ').trim()}`);
        if (alt.outs !== base.outs) parts.push(`outputs ${alt.outs}`);
        lines.push(`- With \`${k}: ${!d.default}\`: ${parts.join('; ')}`);
      }
    }
    lines.push('');
  }
  const params = Object.entries(spec.params as Record<string, ParamDef>);
  if (params.length === 0) lines.push('No params.', '');
  else {
    lines.push('| param | default | values | description |', '| --- | --- | --- | --- |');
    for (const [k, d] of params) {
      const def = d.kind === 'intList' && d.required ? '—' : code(d.default);
      lines.push(`| \`${k}\` | ${cell(def)} | ${cell(rangeText(d))} | ${cell(d.doc)} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** The block reference, grouped by category in a fixed order, blocks in registry order. */
export function buildBlocksMarkdown(blocks: readonly AnyBlockSpec[]): string {
  const out: string[] = [
    '# Block reference',
    '',
    '<!-- Generated by `npx tsx scripts/gen-schema.ts` from the block registry (blocks/index.ts). Do not edit by hand: edit the block module and regenerate. -->',
    '',
    `${blocks.length} block types. Type names and param names follow tfjs-layers (the layer class name and its camelCase constructor arguments). A param that is not set takes the default shown; a single integer may stand for a pair (\`"kernelSize": 3\` is \`[3, 3]\`). Shapes in the messages and the CLI include the batch as \`null\` first. See [graph-format.md](graph-format.md) for the file format and how edges name ports.`,
    '',
  ];
  const cats = CATEGORY_ORDER.filter((c) => blocks.some((b) => b.category === c));
  out.push('## Contents', '');
  for (const c of cats) {
    const names = blocks.filter((b) => b.category === c).map((b) => `[${b.type}](#${b.type.toLowerCase()})`);
    out.push(`- **${CATEGORY_TITLE(c)}**: ${names.join(', ')}`);
  }
  out.push('');
  for (const c of cats) {
    out.push(`## ${CATEGORY_TITLE(c)}`, '');
    for (const b of blocks.filter((x) => x.category === c)) out.push(blockSection(b));
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

// ---------------------------------------------------------------------------------------------
// src/ui/categories.css
// ---------------------------------------------------------------------------------------------

/** The category colour classes (.cat-io { --cat: … }) from CATEGORIES, so CSS cannot drift from the canvas. */
export function buildCategoriesCss(): string {
  const rules = Object.entries(CATEGORIES).map(([c, { colour }]) => `.cat-${c} { --cat: ${colour}; }`);
  return ['/* Generated from CATEGORIES in src/core/spec.ts by scripts/gen-schema.ts: do not edit. */', ...rules, '.cat-unknown { --cat: #ff5c5c; }', ''].join('\n');
}
