// Hard limits on what a file may ask for (docs/graph-format.md "Limits", docs/import.md). Files
// come from other people: every size a file merely claims is checked against these before
// anything is allocated, so a few bytes can never ask for gigabytes, a deep stack or a hang.
// Each limit is far above any real model (a 50,000-block chain, VGG's 102M-weight Dense).

/** Blocks in one graph, and in the flattened graph after macro expansion. */
export const MAX_NODES = 100_000;
/** Edges in one graph (and in the flattened graph). */
export const MAX_EDGES = 400_000;
/** Macros inside macros inside … (a macro at the top level is depth 1). */
export const MAX_MACRO_DEPTH = 32;
/** Operands of one merge block (Add, Concatenate…): ports in0 … in1023. */
export const MAX_MERGE_INPUTS = 1024;
/** Nesting of arrays/objects anywhere in a graph file (params, meta, training…). */
export const MAX_JSON_DEPTH = 64;
/** Characters of one graph file (or JSON model file) read as text. */
export const MAX_GRAPH_TEXT = 64 * 1024 * 1024;
/** Elements of one weight tensor, or of one block's weights together. 2^28 floats = 1 GiB. */
export const MAX_TENSOR_ELEMENTS = 2 ** 28;
/** Elements of one activation per example (a shape's product without the batch). */
export const MAX_EXAMPLE_ELEMENTS = 2 ** 28;
/** Bytes of the weight files one model.json may list together. */
export const MAX_WEIGHT_BYTES = 2 * 1024 ** 3;
/** Characters of a share link's payload (before inflating), and bytes after inflating. */
export const MAX_SHARE_CHARS = 2 * 1024 * 1024;
export const MAX_SHARE_INFLATED = 16 * 1024 * 1024;
/** Bytes one file in a user's zip (an image) may inflate to, and all of its files together. */
export const MAX_ZIP_ENTRY_BYTES = 256 * 1024 ** 2;
export const MAX_ZIP_TOTAL_BYTES = 2 * 1024 ** 3;

/**
 * Depth of the deepest array/object in a parsed JSON value, counted iteratively (a recursive
 * walk would itself overflow on the hostile input it is meant to catch). Stops as soon as the
 * depth passes `limit` and returns the path to the first too-deep value.
 */
export function tooDeep(value: unknown, limit = MAX_JSON_DEPTH): string | undefined {
  const stack: { v: unknown; depth: number; path: string }[] = [{ v: value, depth: 0, path: '' }];
  while (stack.length) {
    const { v, depth, path } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= limit) return path || '(top)';
    if (Array.isArray(v)) v.forEach((x, i) => stack.push({ v: x, depth: depth + 1, path: `${path}[${i}]` }));
    else for (const k of Object.keys(v)) stack.push({ v: (v as Record<string, unknown>)[k], depth: depth + 1, path: `${path}.${k}` });
  }
  return undefined;
}

/** Text without a leading UTF-8 byte-order mark (Notepad writes one). */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The product of known dims (nulls skipped), or Infinity once it passes 2^53. */
export function elementCount(dims: readonly (number | null | undefined)[]): number {
  let n = 1;
  for (const d of dims) if (typeof d === 'number') n *= d;
  return Number.isSafeInteger(n) ? n : Infinity;
}

/** 1234567 → "1.2e+6" style for messages about sizes. */
export function fmtCount(n: number): string {
  if (!Number.isFinite(n)) return 'more than 9e15';
  return n >= 1e6 ? n.toExponential(1) : String(n);
}

/**
 * Why a block's inferred size is refused, or undefined: an output over MAX_EXAMPLE_ELEMENTS per
 * example (the batch dim, first, is not counted) or weights over MAX_TENSOR_ELEMENTS. analyze()
 * says so on the node, so a graph it calls valid never asks tfjs for an impossible tensor.
 */
export function sizeProblem(ports: readonly string[], shapes: readonly (readonly (number | null)[])[], weights: number): string | undefined {
  for (let k = 0; k < shapes.length; k++) {
    const n = elementCount(shapes[k]!.slice(1));
    if (n > MAX_EXAMPLE_ELEMENTS) return `output "${ports[k] ?? k}" would hold ${fmtCount(n)} values per example (at most ${MAX_EXAMPLE_ELEMENTS})`;
  }
  if (!(weights <= MAX_TENSOR_ELEMENTS)) return `its weights would hold ${fmtCount(weights)} values (at most ${MAX_TENSOR_ELEMENTS})`;
  return undefined;
}
