// The window geometry of torchvision's shifted_window_attention (Swin Transformer), shared by the
// ShiftedWindowAttention block's tfjs layer and its ONNX export: the padding to whole windows,
// the shift that survives (none along an axis one window already covers), the relative position
// index into the bias table, and the −100 mask between tokens that the cyclic shift brought
// together from different regions. Plain numbers, computed once from the static H, W.
import type { BlockWeight, OnnxContext } from '../src/core/spec';
import { first } from '../src/core/layers/onnx';

export interface SwinGeometry {
  h: number;
  w: number;
  /** Padded height and width: multiples of ws. */
  ph: number;
  pw: number;
  ws: number;
  /** The shift actually applied along H and W (torchvision drops it where ws ≥ the padded size). */
  sh: number;
  sw: number;
  /** Windows along H and W, and tokens per window (ws²). */
  nh: number;
  nw: number;
  n: number;
  /** Whether the roll and the mask happen at all (torchvision: sum(shift_size) > 0). */
  shifted: boolean;
}

export function swinGeometry(h: number, w: number, ws: number, shift: number): SwinGeometry {
  const ph = Math.ceil(h / ws) * ws;
  const pw = Math.ceil(w / ws) * ws;
  const sh = ws >= ph ? 0 : shift;
  const sw = ws >= pw ? 0 : shift;
  return { h, w, ph, pw, ws, sh, sw, nh: ph / ws, nw: pw / ws, n: ws * ws, shifted: sh + sw > 0 };
}

/**
 * torchvision's relative_position_index, flattened [n·n]: for tokens a = (ya, xa), b = (yb, xb)
 * of one window, (ya − yb + ws − 1)·(2ws − 1) + (xa − xb + ws − 1), a row of the [(2ws−1)², heads] table.
 */
export function relativePositionIndex(ws: number): Int32Array {
  const n = ws * ws;
  const idx = new Int32Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      const dy = Math.floor(a / ws) - Math.floor(b / ws) + ws - 1;
      const dx = (a % ws) - (b % ws) + ws - 1;
      idx[a * n + b] = dy * (2 * ws - 1) + dx;
    }
  }
  return idx;
}

/** Python's a[start:stop] on a length-`len` axis, as [from, to). */
function pySlice(start: number, stop: number | null, len: number): [number, number] {
  const norm = (i: number) => Math.min(Math.max(i < 0 ? i + len : i, 0), len);
  return [norm(start), stop === null ? len : norm(stop)];
}

/**
 * The shifted-window mask [windows, n, n] (window-major, row by row): 0 between tokens of the same
 * region label, −100 otherwise. The labels are painted exactly as torchvision does, with its
 * three slices per axis in order (so a zero shift along an axis leaves one region along it).
 */
export function shiftMask(g: SwinGeometry): Float32Array {
  const label = new Int32Array(g.ph * g.pw);
  const slices = (ws: number, s: number, len: number) => [pySlice(0, -ws, len), pySlice(-ws, -s, len), pySlice(-s, null, len)];
  let count = 0;
  for (const [y0, y1] of slices(g.ws, g.sh, g.ph)) {
    for (const [x0, x1] of slices(g.ws, g.sw, g.pw)) {
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) label[y * g.pw + x] = count;
      count++;
    }
  }
  const mask = new Float32Array(g.nh * g.nw * g.n * g.n);
  for (let wy = 0; wy < g.nh; wy++) {
    for (let wx = 0; wx < g.nw; wx++) {
      const base = (wy * g.nw + wx) * g.n * g.n;
      const lab = (t: number) => label[(wy * g.ws + Math.floor(t / g.ws)) * g.pw + wx * g.ws + (t % g.ws)]!;
      for (let a = 0; a < g.n; a++) for (let b = 0; b < g.n; b++) if (lab(a) !== lab(b)) mask[base + a * g.n + b] = -100;
    }
  }
  return mask;
}

/** The bias table [(2ws−1)², heads] gathered to [heads, n, n] (what torchvision adds to every window's scores). */
export function gatherBias(table: Float32Array, heads: number, ws: number): Float32Array {
  const idx = relativePositionIndex(ws);
  const nn = idx.length;
  const out = new Float32Array(heads * nn);
  for (let h = 0; h < heads; h++) for (let k = 0; k < nn; k++) out[h * nn + k] = table[idx[k]! * heads + h]!;
  return out;
}

export interface SwinWeights {
  qkvKernel: BlockWeight;
  qkvBias?: BlockWeight;
  projKernel: BlockWeight;
  projBias?: BlockWeight;
  table: BlockWeight;
}

/**
 * The ONNX graph for x [N, H, W, C] (opset 17, channels-last): Pad, roll (Slice + Concat),
 * windows (Reshape/Transpose), per-head attention with the gathered bias (plus the mask when
 * shifted) as one constant, projection, and everything undone in reverse order.
 */
export function swinOnnx(ctx: OnnxContext, x: string, g: SwinGeometry, c: number, heads: number, w: SwinWeights): string {
  const hd = c / heads;
  const init = (hint: string, wt: BlockWeight, dims = wt.shape) => ctx.initializer(hint, { dtype: 'float32', dims, data: wt.data });
  const i64 = (hint: string, v: number[]) => ctx.constInt64(hint, v, [v.length]);
  const roll = (t: string, s: number, axis: number, len: number) => {
    // torch.roll(t, −s): the part from s on comes first.
    if (s % len === 0) return t;
    const part = (from: number, to: number) => first(ctx, 'Slice', [t, i64('roll_start', [from]), i64('roll_end', [to]), i64('roll_axis', [axis])]);
    return first(ctx, 'Concat', [part(s, len), part(0, s)], { axis: { i: axis } });
  };
  let y = x;
  if (g.ph !== g.h || g.pw !== g.w) y = first(ctx, 'Pad', [y, i64('swin_pads', [0, 0, 0, 0, 0, g.ph - g.h, g.pw - g.w, 0])]);
  if (g.shifted) y = roll(roll(y, g.sh, 1, g.ph), g.sw, 2, g.pw);
  y = first(ctx, 'Reshape', [y, i64('win_split', [-1, g.nh, g.ws, g.nw, g.ws, c])]);
  y = first(ctx, 'Transpose', [y], { perm: { ints: [0, 1, 3, 2, 4, 5] } });
  y = first(ctx, 'Reshape', [y, i64('win_tokens', [-1, g.n, c])]);
  let qkv = first(ctx, 'MatMul', [y, init('qkv_kernel', w.qkvKernel)]);
  if (w.qkvBias) qkv = first(ctx, 'Add', [qkv, init('qkv_bias', w.qkvBias)]);
  qkv = first(ctx, 'Reshape', [qkv, i64('qkv_heads', [-1, g.n, 3, heads, hd])]);
  qkv = first(ctx, 'Transpose', [qkv], { perm: { ints: [2, 0, 3, 1, 4] } }); // [3, windows·N, heads, n, hd]
  const part = (k: number) => first(ctx, 'Gather', [qkv, ctx.constInt64('qkv_part', [k], [])], { axis: { i: 0 } });
  const q = first(ctx, 'Mul', [part(0), ctx.constFloat('swin_scale', [hd ** -0.5], [])]);
  const kt = first(ctx, 'Transpose', [part(1)], { perm: { ints: [0, 1, 3, 2] } });
  let attn = first(ctx, 'MatMul', [q, kt]);
  // The gathered bias [heads, n, n], plus the mask per window when shifted, as one constant.
  const bias = gatherBias(w.table.data, heads, g.ws);
  if (g.shifted) {
    const windows = g.nh * g.nw;
    const mask = shiftMask(g);
    const both = new Float32Array(windows * bias.length);
    const nn = g.n * g.n;
    for (let k = 0; k < windows; k++) for (let h = 0; h < heads; h++) for (let j = 0; j < nn; j++) both[(k * heads + h) * nn + j] = bias[h * nn + j]! + mask[k * nn + j]!;
    attn = first(ctx, 'Reshape', [attn, i64('per_window', [-1, windows, heads, g.n, g.n])]);
    attn = first(ctx, 'Add', [attn, ctx.constFloat('bias_and_mask', both, [windows, heads, g.n, g.n])]);
    attn = first(ctx, 'Reshape', [attn, i64('all_windows', [-1, heads, g.n, g.n])]);
  } else {
    attn = first(ctx, 'Add', [attn, ctx.constFloat('relative_position_bias', bias, [heads, g.n, g.n])]);
  }
  const probs = first(ctx, 'Softmax', [attn], { axis: { i: -1 } });
  let o = first(ctx, 'Transpose', [first(ctx, 'MatMul', [probs, part(2)])], { perm: { ints: [0, 2, 1, 3] } });
  o = first(ctx, 'Reshape', [o, i64('merge_heads', [-1, g.n, c])]);
  o = first(ctx, 'MatMul', [o, init('proj_kernel', w.projKernel)]);
  if (w.projBias) o = first(ctx, 'Add', [o, init('proj_bias', w.projBias)]);
  o = first(ctx, 'Reshape', [o, i64('win_grid', [-1, g.nh, g.nw, g.ws, g.ws, c])]);
  o = first(ctx, 'Transpose', [o], { perm: { ints: [0, 1, 3, 2, 4, 5] } });
  o = first(ctx, 'Reshape', [o, i64('padded_map', [-1, g.ph, g.pw, c])]);
  if (g.shifted) o = roll(roll(o, (g.ph - g.sh) % g.ph, 1, g.ph), (g.pw - g.sw) % g.pw, 2, g.pw);
  if (g.ph !== g.h || g.pw !== g.w) o = first(ctx, 'Slice', [o, i64('crop_start', [0, 0]), i64('crop_end', [g.h, g.w]), i64('crop_axes', [1, 2])]);
  return o;
}
