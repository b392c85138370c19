// Folding of whole constant tensors (foldMore.ts): each op on small hand-made constants against
// the values numpy / ONNX give, and the cap that leaves a result too big to fold to the op
// importers instead of allocating it.
import { describe, expect, it } from 'vitest';
import { Converter } from './converter';
import { foldConst } from './fold';
import { FOLD_CAP } from './foldMore';
import { attrs, type PAttr, type PNode } from './proto';
import type { ConstVal } from './values';

/** Runs one node on named constants; returns its first output (undefined when not folded). */
function fold(op: string, ins: Record<string, [number[], number[], boolean?]>, attribute: PAttr[] = []): ConstVal | undefined {
  const cv = new Converter(17);
  for (const [name, [dims, data, float]] of Object.entries(ins)) cv.values.set(name, { kind: 'const', dims, float: !!float, data: float ? Float32Array.from(data) : data });
  const n: PNode = { name: op, op_type: op, input: Object.keys(ins), output: ['y'], attribute };
  return foldConst(cv, n, attrs(n))?.[0] as ConstVal | undefined;
}
const got = (c: ConstVal | undefined) => c && { dims: c.dims, data: Array.from(c.data as ArrayLike<number>) };
const int = (name: string, i: number): PAttr => ({ name, type: 2, i });

describe('folding constant tensors', () => {
  it('broadcasts arithmetic: [2, 1] − [3] → [2, 3]; Pow of floats; integer Div truncates', () => {
    expect(got(fold('Sub', { a: [[2, 1], [10, 20]], b: [[3], [1, 2, 3]] }))).toEqual({ dims: [2, 3], data: [9, 8, 7, 19, 18, 17] });
    expect(got(fold('Pow', { a: [[], [16], true], b: [[], [-0.5], true] }))).toEqual({ dims: [], data: [0.25] });
    expect(got(fold('Div', { a: [[2], [7, -7]], b: [[], [2]] }))).toEqual({ dims: [2], data: [3, -3] });
  });

  it('Equal, Not and Where (torch masked_fill): bools as 0 / 1, Where broadcasting its scalar', () => {
    const eq = fold('Equal', { a: [[2, 2], [0, 1, 2, 0], true], b: [[], [0], true] });
    expect(got(eq)).toEqual({ dims: [2, 2], data: [1, 0, 0, 1] });
    expect(got(fold('Not', { c: [[2, 2], [1, 0, 0, 1]] }))).toEqual({ dims: [2, 2], data: [0, 1, 1, 0] });
    expect(got(fold('Where', { c: [[2, 2], [0, 1, 1, 0]], x: [[], [-100], true], y: [[2, 2], [0, 1, 2, 0], true] }))).toEqual({ dims: [2, 2], data: [0, -100, -100, 0] });
  });

  it('Range, Expand, Transpose, Gather on axis 1, Concat on axis 1', () => {
    expect(got(fold('Range', { s: [[], [0]], l: [[], [5]], d: [[], [2]] }))).toEqual({ dims: [3], data: [0, 2, 4] });
    expect(got(fold('Expand', { x: [[2, 1], [1, 2]], s: [[2], [2, 3]] }))).toEqual({ dims: [2, 3], data: [1, 1, 1, 2, 2, 2] });
    const t = fold('Transpose', { x: [[2, 3], [0, 1, 2, 3, 4, 5]] }, [{ name: 'perm', type: 7, ints: [1, 0] }]);
    expect(got(t)).toEqual({ dims: [3, 2], data: [0, 3, 1, 4, 2, 5] });
    expect(got(fold('Gather', { x: [[2, 3], [0, 1, 2, 3, 4, 5]], i: [[2], [2, -3]] }, [int('axis', 1)]))).toEqual({ dims: [2, 2], data: [2, 0, 5, 3] });
    expect(got(fold('Concat', { a: [[2, 1], [1, 2]], b: [[2, 2], [3, 4, 5, 6]] }, [int('axis', 1)]))).toEqual({ dims: [2, 3], data: [1, 3, 4, 2, 5, 6] });
  });

  it("Slice with a negative step (F.pad's reversed pads) and a step of 2", () => {
    const x: [number[], number[]] = [[4, 2], [0, 1, 2, 3, 4, 5, 6, 7]];
    expect(got(fold('Slice', { x, s: [[1], [-1]], e: [[1], [-(2 ** 62)]], a: [[1], [0]], st: [[1], [-1]] }))).toEqual({ dims: [4, 2], data: [6, 7, 4, 5, 2, 3, 0, 1] });
    expect(got(fold('Slice', { x, s: [[1], [1]], e: [[1], [2 ** 62]], a: [[1], [0]], st: [[1], [2]] }))).toEqual({ dims: [2, 2], data: [2, 3, 6, 7] });
  });

  it('ScatterND writes rows of updates at the indexed positions (torch attn_mask[h0:h1, w0:w1] = count)', () => {
    const r = fold('ScatterND', { x: [[2, 3], [0, 0, 0, 0, 0, 0]], i: [[2, 2], [0, 1, 1, 2]], u: [[2], [7, 8]] });
    expect(got(r)).toEqual({ dims: [2, 3], data: [0, 7, 0, 0, 0, 8] });
  });

  it(`leaves results over ${FOLD_CAP} elements unfolded (a Range or Expand claiming billions)`, () => {
    expect(fold('Range', { s: [[], [0]], l: [[], [2 ** 40]], d: [[], [1]] })).toBeUndefined();
    expect(fold('Expand', { x: [[1], [1]], s: [[2], [2 ** 20, 2 ** 20]] })).toBeUndefined();
  });
});
