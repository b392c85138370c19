// Swin pieces (fused by patterns/swin.ts) → the ShiftedWindowAttention and PatchMerging blocks.
// The values torch computed at run time from the map's size — the pads, q's scale, the relative
// position bias (torch folds table[relative_position_index] into one constant), the shift mask,
// the crop — arrive here folded to constants, and each is checked against what the block
// computes for this input size; any difference refuses the node, saying which value and how.
import type { Converter, OpTable } from '../converter';
import { PATCH_MERGING_OP, SWIN_ATTENTION_OP, SWIN_IN, swinSpec } from '../patterns';
import { Unsupported, type PNode } from '../proto';
import { fmt, type TensorVal } from '../values';
import { relativePositionIndex, shiftMask, swinGeometry } from '../../../../blocks/swinWindows';

/** The [N, H, W, C] map a Swin piece reads (channels-last in ONNX too, as torchvision keeps it). */
function mapInput(cv: Converter, name: string, what: string): { t: TensorVal; H: number; W: number; C: number } {
  const t = cv.tensor(name, `${what} input`);
  const [, H, W, C] = t.shape;
  if (t.layout !== 'plain' || t.shape.length !== 4 || !H || !W || !C) throw new Unsupported(`${what} input "${name}" ${fmt(t.shape)} is not a [N, H, W, C] map of known size`);
  return { t, H, W, C };
}

/** The file's pads, checked to be zeros except the end of H and W (torchvision's F.pad). */
function checkPads(cv: Converter, name: string | undefined, want: [number, number], what: string): void {
  const got = name ? cv.ints(cv.constant(name, `${what} pads`), `${what} pads`) : [0, 0, 0, 0, 0, 0, 0, 0];
  const expected = [0, 0, 0, 0, 0, want[0], want[1], 0];
  if (got.join() !== expected.join()) throw new Unsupported(`${what} pads the map by ${fmt(got)}, but the block pads the bottom by ${want[0]} and the right by ${want[1]} (ONNX pads ${fmt(expected)})`);
}

/** The ints or floats of a constant input, as numbers. */
function numbers(cv: Converter, name: string, what: string): number[] {
  const c = cv.constant(name, what);
  const v = Array.from(c.data instanceof Float32Array ? c.data : cv.ints(c, what));
  if (v.some((x) => typeof x !== 'number')) throw new Unsupported(`${what} depends on the batch size`);
  return v as number[];
}

/** The bias table [(2ws−1)², heads] that the file's [1, heads, L, L] bias was gathered from. */
function biasTable(cv: Converter, name: string, ws: number, heads: number, where: string): Float32Array {
  const c = cv.constant(name, 'relative position bias');
  const b = cv.floats(c, 'relative position bias');
  const L = ws * ws;
  const dims = c.dims.filter((d, i) => !(i === 0 && d === 1 && c.dims.length === 4));
  if (dims.join() !== [heads, L, L].join()) throw new Unsupported(`${where}: the bias added to the attention scores is ${fmt(c.dims)}, not the [1, ${heads}, ${L}, ${L}] relative position bias of ${heads} heads over ${ws}×${ws} windows`);
  const idx = relativePositionIndex(ws);
  const rows = (2 * ws - 1) ** 2;
  const table = new Float32Array(rows * heads);
  const set = new Uint8Array(rows * heads);
  for (let h = 0; h < heads; h++)
    for (let k = 0; k < L * L; k++) {
      const at = idx[k]! * heads + h;
      const v = b[h * L * L + k]!;
      if (!set[at]) [table[at], set[at]] = [v, 1];
      else if (table[at] !== v)
        throw new Unsupported(`${where}: the bias added to the attention scores is not a relative position bias: head ${h}, query ${Math.floor(k / L)}, key ${k % L} holds ${v} but the same relative offset (torchvision's relative_position_index ${idx[k]}) holds ${table[at]} elsewhere`);
    }
  return table;
}

function convertSwinAttention(cv: Converter, n: PNode): TensorVal {
  const spec = swinSpec(n);
  if (!spec) throw new Unsupported(`${SWIN_ATTENTION_OP} is made by the importer's Swin pattern only`);
  const where = `shifted-window attention "${n.name}"`;
  const inp = n.input ?? [];
  const { t, H, W, C } = mapInput(cv, inp[SWIN_IN.x]!, where);
  const { windowSize: ws, numHeads: heads } = spec;
  const qkvW = cv.constant(inp[SWIN_IN.qkvW], 'qkv weight');
  const projW = cv.constant(inp[SWIN_IN.projW], 'proj weight');
  if (qkvW.dims.join() !== [C, 3 * C].join() || projW.dims.join() !== [C, C].join() || C % heads)
    throw new Unsupported(`${where}: qkv weight ${fmt(qkvW.dims)} and proj weight ${fmt(projW.dims)} do not fit ${C} channels in ${heads} heads (want [${C}, ${3 * C}] and [${C}, ${C}])`);
  // The graph's rolls: one shift, which the block keeps along an axis exactly where the window is smaller than the padded map.
  const shift = Math.max(...spec.shifts);
  const geo = swinGeometry(H, W, ws, shift);
  checkPads(cv, inp[SWIN_IN.pads], [geo.ph - H, geo.pw - W], where);
  const [pH, pW] = [geo.ph, geo.pw];
  if (shift >= ws || spec.shifts[0] !== geo.sh || spec.shifts[1] !== geo.sw)
    throw new Unsupported(`${where} rolls the map by ${fmt(spec.shifts.map((x) => -x))} (H, W), which is not torchvision's shift for ${ws}×${ws} windows on a ${pH}×${pW} map (shift ${shift} along each axis longer than the window, none along the others, and less than the window)`);
  const scale = numbers(cv, inp[SWIN_IN.scale]!, 'q scale');
  const want = Math.fround((C / heads) ** -0.5);
  if (scale.length !== 1 || Math.abs(scale[0]! - want) > 1e-6 * want)
    throw new Unsupported(`${where} scales q by ${fmt(scale)}, not by (C / heads)^−0.5 = ${want} (C ${C}, ${heads} heads) as the block does`);
  const table = biasTable(cv, inp[SWIN_IN.bias]!, ws, heads, where);
  const nW = geo.nh * geo.nw;
  const L = ws * ws;
  if (shift > 0) {
    if (!inp[SWIN_IN.mask]) throw new Unsupported(`${where} rolls the map but adds no shift mask to the scores`);
    const got = cv.constant(inp[SWIN_IN.mask], 'shift mask');
    const data = cv.floats(got, 'shift mask');
    const expected = shiftMask(geo);
    if (got.dims.join() !== [1, nW, 1, L, L].join()) throw new Unsupported(`${where}: the mask added to the scores is ${fmt(got.dims)}, not [1, ${nW}, 1, ${L}, ${L}] (${nW} windows of ${L} tokens)`);
    const bad = expected.findIndex((v, i) => v !== data[i]);
    if (bad >= 0) {
      const [w, i, j] = [Math.floor(bad / (L * L)), Math.floor(bad / L) % L, bad % L];
      throw new Unsupported(`${where}: the mask added to the scores is not torchvision's shift mask for shift ${shift} on a ${pH}×${pW} map: window ${w}, query ${i}, key ${j} is ${data[bad]} where the block uses ${expected[bad]}`);
    }
  } else if (inp[SWIN_IN.mask]) throw new Unsupported(`${where} adds a mask to the scores of windows it does not shift; the block masks shifted windows only`);
  const ends = [SWIN_IN.cropH, SWIN_IN.cropW].map((k, i) => {
    const e = numbers(cv, inp[k]!, 'crop end');
    return e.length === 1 ? Math.min(e[0]!, [pH, pW][i]!) : NaN;
  });
  if (ends[0] !== H || ends[1] !== W) throw new Unsupported(`${where} crops the result to ${ends[0]}×${ends[1]}, not back to the input's ${H}×${W}`);
  const vec = (name: string | undefined, len: number, what: string) => {
    if (!name) return undefined;
    const v = cv.floats(cv.constant(name, what), what);
    if (v.length !== len) throw new Unsupported(`${where}: the ${what} has ${v.length} values for ${len} outputs`);
    return v;
  };
  const qkvB = vec(inp[SWIN_IN.qkvB], 3 * C, 'qkv bias');
  const projB = vec(inp[SWIN_IN.projB], C, 'proj bias');
  const id = cv.add('ShiftedWindowAttention', { windowSize: ws, shiftSize: shift, numHeads: heads, qkvBias: !!qkvB, projBias: !!projB }, [t.ref]);
  cv.weight(id, 'qkv/kernel', [C, 3 * C], cv.floats(qkvW, 'qkv weight'));
  if (qkvB) cv.weight(id, 'qkv/bias', [3 * C], qkvB);
  cv.weight(id, 'proj/kernel', [C, C], cv.floats(projW, 'proj weight'));
  if (projB) cv.weight(id, 'proj/bias', [C], projB);
  cv.weight(id, 'relative_position_bias_table', [(2 * ws - 1) ** 2, heads], table);
  return { kind: 'tensor', ref: { node: id, port: 'out' }, layout: 'plain', shape: t.shape.slice() };
}

function convertPatchMerging(cv: Converter, n: PNode): TensorVal {
  const where = `patch merging "${n.name}"`;
  const { t, H, W, C } = mapInput(cv, n.input![0]!, where);
  checkPads(cv, n.input?.[1], [H % 2, W % 2], where);
  const id = cv.add('PatchMerging', {}, [t.ref]);
  return { kind: 'tensor', ref: { node: id, port: 'out' }, layout: 'plain', shape: [t.shape[0]!, Math.ceil(H / 2), Math.ceil(W / 2), 4 * C] };
}

export const SWIN_OPS: OpTable = { [SWIN_ATTENTION_OP]: convertSwinAttention, [PATCH_MERGING_OP]: convertPatchMerging };
