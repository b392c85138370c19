// Resolving a node's raw params (as written in a graph file) against its block's schema:
// defaults fill what is unset, a single number expands to a pair, and every bad value is
// reported with the param's name and the value quoted.
import type { AnyBlockSpec, ParamDef, ParamSchema } from './spec';

export interface ParamIssue {
  param: string;
  message: string;
}

export function quote(v: unknown): string {
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s;
  } catch {
    return String(v);
  }
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/**
 * An integer a double cannot hold exactly (past 2^53 − 1, like 1e21 or 2^60) in a value or in
 * the lists of an integer param: every later size computed from it would be silently wrong.
 */
function unsafeInt(raw: unknown): number | undefined {
  const xs = Array.isArray(raw) ? raw.flatMap((v: unknown) => (Array.isArray(v) ? (v as unknown[]) : [v])) : [raw];
  return xs.find((v): v is number => typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v));
}

const INT_KINDS: ReadonlySet<ParamDef['kind']> = new Set(['int', 'ints', 'intList', 'padding2d']);

/** Resolves one value; returns [value] or an error message. */
export function resolveParam(name: string, def: ParamDef, raw: unknown): { value: unknown } | { error: string } {
  if (raw === undefined) {
    if (def.kind === 'intList' && def.required && def.default === null) return { error: `param "${name}" is required` };
    return { value: structuredClone(def.default) };
  }
  const big = INT_KINDS.has(def.kind) ? unsafeInt(raw) : undefined;
  if (big !== undefined)
    return { error: `param "${name}" holds ${quote(big)}, past the largest exact integer ${Number.MAX_SAFE_INTEGER} (2^53 − 1)${raw === big ? '' : `, in ${quote(raw)}`}` };
  switch (def.kind) {
    case 'int': {
      if (raw === null && def.nullable) return { value: null };
      if (!isInt(raw)) return { error: `param "${name}" must be an integer, got ${quote(raw)}` };
      if (def.min !== undefined && raw < def.min) return { error: `param "${name}" must be ≥ ${def.min}, got ${quote(raw)}` };
      if (def.max !== undefined && raw > def.max) return { error: `param "${name}" must be ≤ ${def.max}, got ${quote(raw)}` };
      return { value: raw };
    }
    case 'float': {
      if (raw === null && def.nullable) return { value: null };
      if (typeof raw !== 'number' || !Number.isFinite(raw)) return { error: `param "${name}" must be a finite number, got ${quote(raw)}` };
      if (def.min !== undefined && (def.exclusiveMin ? raw <= def.min : raw < def.min))
        return { error: `param "${name}" must be ${def.exclusiveMin ? '>' : '≥'} ${def.min}, got ${quote(raw)}` };
      if (def.max !== undefined && (def.exclusiveMax ? raw >= def.max : raw > def.max))
        return { error: `param "${name}" must be ${def.exclusiveMax ? '<' : '≤'} ${def.max}, got ${quote(raw)}` };
      return { value: raw };
    }
    case 'bool':
      if (typeof raw !== 'boolean') return { error: `param "${name}" must be true or false, got ${quote(raw)}` };
      return { value: raw };
    case 'enum':
      if (typeof raw !== 'string' || !def.options.includes(raw))
        return { error: `param "${name}" must be one of ${def.options.map((o) => `"${o}"`).join(', ')}, got ${quote(raw)}` };
      return { value: raw };
    case 'string':
      if (typeof raw !== 'string') return { error: `param "${name}" must be a string, got ${quote(raw)}` };
      return { value: raw };
    case 'ints': {
      if (raw === null && def.nullable) return { value: null };
      const arr = isInt(raw) ? new Array<number>(def.length).fill(raw) : raw;
      if (!Array.isArray(arr) || arr.length !== def.length || !arr.every(isInt))
        return { error: `param "${name}" must be an integer or a list of ${def.length} integers, got ${quote(raw)}` };
      const min = def.min ?? 1;
      if (arr.some((v) => v < min)) return { error: `param "${name}" entries must be ≥ ${min}, got ${quote(raw)}` };
      return { value: [...arr] };
    }
    case 'intList': {
      if (raw === null && !def.required) return { value: def.default };
      if (!Array.isArray(raw)) return { error: `param "${name}" must be a list of integers, got ${quote(raw)}` };
      if (def.minLength !== undefined && raw.length < def.minLength)
        return { error: `param "${name}" needs at least ${def.minLength} entries, got ${quote(raw)}` };
      let minusOnes = 0;
      for (const v of raw) {
        if (v === null && def.allowNull) continue;
        if (!isInt(v)) return { error: `param "${name}" must be a list of integers, got ${quote(raw)}` };
        if (v === -1 && def.allowMinusOne) {
          minusOnes++;
          continue;
        }
        const min = def.min ?? 1;
        if (v < min) return { error: `param "${name}" entries must be ≥ ${min}${def.allowMinusOne ? ' (or a single -1)' : ''}, got ${quote(raw)}` };
      }
      if (minusOnes > 1) return { error: `param "${name}" may contain -1 only once, got ${quote(raw)}` };
      return { value: [...raw] };
    }
    case 'padding2d': {
      // 1 → [[1,1],[1,1]]; [1,2] → [[1,1],[2,2]]; [[1,2],[3,4]] as is.
      let v: unknown = raw;
      if (isInt(v)) v = [[v, v], [v, v]];
      else if (Array.isArray(v) && v.length === 2 && isInt(v[0]) && isInt(v[1])) v = [[v[0], v[0]], [v[1], v[1]]];
      const ok =
        Array.isArray(v) &&
        v.length === 2 &&
        v.every((pair) => Array.isArray(pair) && pair.length === 2 && pair.every((x) => isInt(x) && x >= 0));
      if (!ok) return { error: `param "${name}" must be an integer ≥ 0, a pair, or [[top, bottom], [left, right]], got ${quote(raw)}` };
      return { value: structuredClone(v) };
    }
  }
}

/**
 * Resolves all params of a node. Unknown param names are reported too (a typo like "kernel_size"
 * would otherwise silently fall back to the default).
 */
export function resolveParams(spec: AnyBlockSpec, raw: Record<string, unknown> | undefined): { params: Record<string, unknown>; issues: ParamIssue[] } {
  const schema: ParamSchema = spec.params;
  const params: Record<string, unknown> = {};
  const issues: ParamIssue[] = [];
  const given = raw ?? {};
  for (const [name, def] of Object.entries(schema)) {
    const r = resolveParam(name, def, given[name]);
    if ('error' in r) {
      issues.push({ param: name, message: r.error });
      params[name] = structuredClone(def.default);
    } else params[name] = r.value;
  }
  for (const name of Object.keys(given)) {
    // Own keys only: a param named "toString" or "constructor" is unknown, not inherited.
    if (!Object.hasOwn(schema, name)) {
      const known = Object.keys(schema);
      issues.push({
        param: name,
        message: `unknown param "${name}" for ${spec.type}${known.length ? `; known params: ${known.join(', ')}` : ' (it takes no params)'}`,
      });
    }
  }
  return { params, issues };
}

/** Defaults of a spec, as a plain object (for the inspector and docs). */
export function defaultParams(spec: AnyBlockSpec): Record<string, unknown> {
  return resolveParams(spec, {}).params;
}
