// A small JSON Schema (draft 2020-12) checker for the subset docs/graph.schema.json uses. The
// tests validate every template against the committed schema with it. It throws on any keyword
// it does not implement, so the schema can never rely on a rule that is silently unchecked.

export type Schema = boolean | { [k: string]: unknown };

export interface SchemaError {
  /** JSON Pointer-ish path into the instance, e.g. /nodes/3/params/filters. */
  path: string;
  message: string;
}

const ANNOTATIONS = new Set(['$schema', '$id', '$comment', 'title', 'description', 'default', 'examples', 'deprecated']);
const KEYWORDS = new Set([
  '$ref',
  '$defs',
  'type',
  'enum',
  'const',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'prefixItems',
  'minItems',
  'maxItems',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'pattern',
  'anyOf',
  'oneOf',
  'allOf',
  'not',
  'if',
  'then',
  'else',
]);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(v: unknown, t: string): boolean {
  const actual = typeOf(v);
  return actual === t || (t === 'number' && actual === 'integer');
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function resolveRef(root: Schema, ref: string): Schema {
  if (!ref.startsWith('#/')) throw new Error(`jsonSchema: only local $ref ("#/...") is supported, got ${ref}`);
  let cur: unknown = root;
  for (const part of ref.slice(2).split('/')) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof cur !== 'object' || cur === null || !(key in cur)) throw new Error(`jsonSchema: $ref ${ref} does not resolve`);
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur as Schema;
}

/** Validates `value` against `schema`; returns every error found (empty when valid). */
export function validate(schema: Schema, value: unknown): SchemaError[] {
  const errors: SchemaError[] = [];
  check(schema, schema, value, '', errors);
  return errors;
}

function check(root: Schema, s: Schema, v: unknown, path: string, out: SchemaError[]): void {
  if (s === true) return;
  if (s === false) {
    out.push({ path, message: 'no value is allowed here' });
    return;
  }
  for (const k of Object.keys(s)) if (!KEYWORDS.has(k) && !ANNOTATIONS.has(k)) throw new Error(`jsonSchema: keyword "${k}" is not supported (at schema for ${path || '/'})`);
  const err = (message: string) => out.push({ path: path || '/', message });

  if (typeof s.$ref === 'string') check(root, resolveRef(root, s.$ref), v, path, out);
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((t) => typeMatches(v, t))) {
      err(`must be ${types.join(' or ')}, got ${typeOf(v)} ${JSON.stringify(v)?.slice(0, 60)}`);
      return;
    }
  }
  if (s.const !== undefined && !deepEqual(v, s.const)) err(`must be ${JSON.stringify(s.const)}, got ${JSON.stringify(v)}`);
  if (Array.isArray(s.enum) && !s.enum.some((x) => deepEqual(x, v))) err(`must be one of ${s.enum.map((x) => JSON.stringify(x)).join(', ')}, got ${JSON.stringify(v)}`);

  if (typeof v === 'number') {
    if (typeof s.minimum === 'number' && v < s.minimum) err(`must be ≥ ${s.minimum}, got ${v}`);
    if (typeof s.maximum === 'number' && v > s.maximum) err(`must be ≤ ${s.maximum}, got ${v}`);
    if (typeof s.exclusiveMinimum === 'number' && v <= s.exclusiveMinimum) err(`must be > ${s.exclusiveMinimum}, got ${v}`);
    if (typeof s.exclusiveMaximum === 'number' && v >= s.exclusiveMaximum) err(`must be < ${s.exclusiveMaximum}, got ${v}`);
  }
  if (typeof v === 'string') {
    if (typeof s.minLength === 'number' && [...v].length < s.minLength) err(`must have at least ${s.minLength} characters`);
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(v)) err(`must match /${s.pattern}/, got ${JSON.stringify(v)}`);
  }
  if (Array.isArray(v)) {
    if (typeof s.minItems === 'number' && v.length < s.minItems) err(`must have at least ${s.minItems} items, got ${v.length}`);
    if (typeof s.maxItems === 'number' && v.length > s.maxItems) err(`must have at most ${s.maxItems} items, got ${v.length}`);
    const prefix = Array.isArray(s.prefixItems) ? (s.prefixItems as Schema[]) : [];
    prefix.forEach((ps, i) => {
      if (i < v.length) check(root, ps, v[i], `${path}/${i}`, out);
    });
    if (s.items !== undefined) for (let i = prefix.length; i < v.length; i++) check(root, s.items as Schema, v[i], `${path}/${i}`, out);
  }
  if (typeOf(v) === 'object') {
    const obj = v as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, Schema>;
    for (const r of (s.required ?? []) as string[]) if (!(r in obj)) err(`missing required property "${r}"`);
    for (const [k, val] of Object.entries(obj)) {
      const p = `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (k in props) check(root, props[k]!, val, p, out);
      else if (s.additionalProperties === false) out.push({ path: p, message: `unknown property "${k}"` });
      else if (s.additionalProperties !== undefined) check(root, s.additionalProperties as Schema, val, p, out);
    }
  }

  const sub = (schema: Schema) => {
    const e: SchemaError[] = [];
    check(root, schema, v, path, e);
    return e;
  };
  if (Array.isArray(s.allOf)) for (const a of s.allOf as Schema[]) check(root, a, v, path, out);
  if (Array.isArray(s.anyOf)) {
    const results = (s.anyOf as Schema[]).map(sub);
    if (!results.some((r) => r.length === 0)) err(`must match one of ${results.length} alternatives: ${results.map((r) => r[0]?.message).join(' | ')}`);
  }
  if (Array.isArray(s.oneOf)) {
    const results = (s.oneOf as Schema[]).map(sub);
    const n = results.filter((r) => r.length === 0).length;
    if (n !== 1) err(n === 0 ? `must match exactly one of ${results.length} alternatives: ${results.map((r) => r[0]?.message).join(' | ')}` : `matches ${n} alternatives; exactly one is allowed`);
  }
  if (s.not !== undefined && sub(s.not as Schema).length === 0) err('must not match the "not" schema');
  if (s.if !== undefined) {
    if (sub(s.if as Schema).length === 0) {
      if (s.then !== undefined) check(root, s.then as Schema, v, path, out);
    } else if (s.else !== undefined) check(root, s.else as Schema, v, path, out);
  }
}
