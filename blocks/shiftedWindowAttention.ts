// ShiftedWindowAttention: torchvision 0.14's Swin Transformer attention (W-MSA / SW-MSA) on a
// channels-last [N, H, W, C] map. The map is padded to whole windows, cyclically shifted, cut into
// ws×ws windows; each window runs multi-head self-attention with a learned relative position bias
// (and, when shifted, the −100 mask between regions the roll brought together); then everything
// is undone. Weights: qkv/kernel [C, 3C] (+ qkv/bias [3C]), proj/kernel [C, C] (+ proj/bias [C]),
// relative_position_bias_table [(2ws−1)², heads] — torch's Linear weights transposed.
import * as tf from '@tensorflow/tfjs';
import { BlockError, defineBlock, type PytorchSnippet, type Shape } from '../src/core/spec';
import { fmtShape, requireRank } from '../src/core/shapes';
import { initializer, singleShape, singleTensor, type LayerArgs } from '../src/core/layers/common';
import { findWeight } from '../src/onnx/ops';
import { asIs, callMember, pick, py } from '../src/pytorch/emit';
import { transpose2d } from '../src/pytorch/weights';
import { relativePositionIndex, shiftMask, swinGeometry, swinOnnx, type SwinGeometry } from './swinWindows';

interface SwinParams {
  windowSize: number;
  shiftSize: number;
  numHeads: number;
}

/** [H, W, C] of the input: known, and C a multiple of numHeads; throws naming the fix. */
function mapDims(x: Shape | undefined, p: SwinParams): { h: number; w: number; c: number } {
  const s = requireRank(x, 4, 'ShiftedWindowAttention');
  const [, h, w, c] = s;
  if (h === null || w === null || c === null)
    throw new BlockError(`ShiftedWindowAttention needs a known height, width and channel count, got ${fmtShape(s)}: its windows and shift mask are laid out from them`, { port: 'in' });
  if (c! % p.numHeads !== 0) throw new BlockError(`${c} channels do not split into ${p.numHeads} heads: use a numHeads that divides ${c}`, { param: 'numHeads' });
  return { h: h!, w: w!, c: c! };
}

function checkWindow(p: SwinParams): void {
  if (p.shiftSize >= p.windowSize) throw new BlockError(`shiftSize ${p.shiftSize} must be smaller than windowSize ${p.windowSize} (Swin shifts by windowSize / 2)`, { param: 'shiftSize' });
}

interface SwinArgs extends LayerArgs, SwinParams {
  qkvBias: boolean;
  projBias: boolean;
  kernelInitializer?: string;
}

/** torch.roll(x, −s, axis) for s ≥ 0: the part from s on comes first. */
function rollBack(x: tf.Tensor, s: number, axis: number): tf.Tensor {
  const len = x.shape[axis]!;
  if (s % len === 0) return x;
  const begin = x.shape.map(() => 0);
  const size = x.shape.map((d) => d!);
  const part = (from: number, n: number) => tf.slice(x, Object.assign(begin.slice(), { [axis]: from }), Object.assign(size.slice(), { [axis]: n }));
  return tf.concat([part(s, len - s), part(0, s)], axis);
}

// The tfjs layer: pure tf ops (pad, slice/concat rolls, reshape/transpose windows, matMul,
// gather for the bias), so gradients reach all five weights.
export class ShiftedWindowAttention extends tf.layers.Layer {
  static className = 'ShiftedWindowAttention';
  readonly windowSize: number;
  readonly shiftSize: number;
  readonly numHeads: number;
  readonly qkvBias: boolean;
  readonly projBias: boolean;
  readonly kernelInitializer: string | undefined;
  // The mask and index are plain numbers per map size: computed once, not on every step.
  private consts: { key: string; mask: Float32Array | null; index: Int32Array } | null = null;
  private w: { qkvK: tf.LayerVariable; qkvB: tf.LayerVariable | null; projK: tf.LayerVariable; projB: tf.LayerVariable | null; table: tf.LayerVariable } | null = null;

  constructor(args: SwinArgs) {
    super(args);
    this.windowSize = args.windowSize;
    this.shiftSize = args.shiftSize;
    this.numHeads = args.numHeads;
    this.qkvBias = args.qkvBias;
    this.projBias = args.projBias;
    this.kernelInitializer = args.kernelInitializer;
    checkWindow(this);
  }
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    return singleShape(s).slice();
  }
  override build(s: tf.Shape | tf.Shape[]): void {
    const { c } = mapDims(singleShape(s) as Shape, this);
    const t = (2 * this.windowSize - 1) ** 2;
    // Same order as torchvision's parameters: qkv, proj, then the bias table.
    const qkvK = this.addWeight('qkv/kernel', [c, 3 * c], 'float32', initializer(this.kernelInitializer), undefined, true);
    const qkvB = this.qkvBias ? this.addWeight('qkv/bias', [3 * c], 'float32', tf.initializers.zeros(), undefined, true) : null;
    const projK = this.addWeight('proj/kernel', [c, c], 'float32', initializer(this.kernelInitializer), undefined, true);
    const projB = this.projBias ? this.addWeight('proj/bias', [c], 'float32', tf.initializers.zeros(), undefined, true) : null;
    const table = this.addWeight('relative_position_bias_table', [t, this.numHeads], 'float32', tf.initializers.truncatedNormal({ stddev: 0.02 }), undefined, true);
    this.w = { qkvK, qkvB, projK, projB, table };
    this.built = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor(inputs) as tf.Tensor4D;
      const [b, h, w, c] = x.shape;
      const g = swinGeometry(h, w, this.windowSize, this.shiftSize);
      const heads = this.numHeads;
      const hd = c / heads;
      const wt = this.w!;
      let y: tf.Tensor = g.ph !== h || g.pw !== w ? tf.pad(x, [[0, 0], [0, g.ph - h], [0, g.pw - w], [0, 0]]) : x;
      if (g.shifted) y = rollBack(rollBack(y, g.sh, 1), g.sw, 2);
      const windows = g.nh * g.nw;
      y = tf.reshape(tf.transpose(tf.reshape(y, [b, g.nh, g.ws, g.nw, g.ws, c]), [0, 1, 3, 2, 4, 5]), [b * windows * g.n, c]);
      let qkv = tf.matMul(y, wt.qkvK.read());
      if (wt.qkvB) qkv = tf.add(qkv, wt.qkvB.read());
      // [B·windows, n, 3, heads, hd] → three [B·windows, heads, n, hd].
      const [q, k, v] = tf.split(tf.reshape(qkv, [b * windows, g.n, 3, heads, hd]), 3, 2).map((t) => tf.transpose(tf.reshape(t, [b * windows, g.n, heads, hd]), [0, 2, 1, 3]));
      let attn: tf.Tensor = tf.matMul(tf.mul(q!, hd ** -0.5), k!, false, true);
      const consts = this.constants(g);
      attn = tf.add(attn, this.positionBias(g, consts.index));
      if (consts.mask) {
        const mask = tf.tensor(consts.mask, [1, windows, 1, g.n, g.n]);
        attn = tf.reshape(tf.add(tf.reshape(attn, [b, windows, heads, g.n, g.n]), mask), [b * windows, heads, g.n, g.n]);
      }
      const o = tf.transpose(tf.matMul(tf.softmax(attn, -1), v!), [0, 2, 1, 3]);
      let out = tf.matMul(tf.reshape(o, [b * windows * g.n, c]), wt.projK.read());
      if (wt.projB) out = tf.add(out, wt.projB.read());
      let m: tf.Tensor = tf.reshape(tf.transpose(tf.reshape(out, [b, g.nh, g.nw, g.ws, g.ws, c]), [0, 1, 3, 2, 4, 5]), [b, g.ph, g.pw, c]);
      if (g.shifted) m = rollBack(rollBack(m, g.ph - g.sh, 1), g.pw - g.sw, 2);
      return g.ph !== h || g.pw !== w ? tf.slice(m, [0, 0, 0, 0], [b, h, w, c]) : m;
    });
  }
  private constants(g: SwinGeometry): { mask: Float32Array | null; index: Int32Array } {
    const key = `${g.h}x${g.w}`;
    if (this.consts?.key !== key) this.consts = { key, mask: g.shifted ? shiftMask(g) : null, index: relativePositionIndex(g.ws) };
    return this.consts;
  }
  /** The table's rows gathered by the relative position index: [heads, n, n]. */
  private positionBias(g: SwinGeometry, index: Int32Array): tf.Tensor {
    const idx = tf.tensor1d(index, 'int32');
    return tf.transpose(tf.reshape(tf.gather(this.w!.table.read(), idx), [g.n, g.n, this.numHeads]), [2, 0, 1]);
  }
  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      windowSize: this.windowSize,
      shiftSize: this.shiftSize,
      numHeads: this.numHeads,
      qkvBias: this.qkvBias,
      projBias: this.projBias,
      ...(this.kernelInitializer ? { kernelInitializer: this.kernelInitializer } : {}),
    };
  }
}

/** model.py's ShiftedWindowAttention: torchvision's computation, self-contained (no torchvision import). */
const SWIN_PY: PytorchSnippet = {
  name: 'ShiftedWindowAttention',
  source: String.raw`class ShiftedWindowAttention(nn.Module):
    """torchvision's Swin attention on (N, H, W, C): pad to whole windows, roll by -shift, windowed
    multi-head attention with a relative position bias (and the -100 shift mask), roll back, crop."""

    def __init__(self, dim, window_size, shift_size, num_heads, qkv_bias, proj_bias):
        super().__init__()
        self.ws, self.shift, self.heads = window_size, shift_size, num_heads
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim, bias=proj_bias)
        self.relative_position_bias_table = nn.Parameter(torch.zeros((2 * window_size - 1) ** 2, num_heads))
        c = torch.arange(window_size)
        coords = torch.stack(torch.meshgrid(c, c, indexing="ij")).flatten(1)
        rel = (coords[:, :, None] - coords[:, None, :]).permute(1, 2, 0) + (window_size - 1)
        self.register_buffer("index", rel[:, :, 0] * (2 * window_size - 1) + rel[:, :, 1], persistent=False)

    def forward(self, x):
        B, H, W, C = x.shape
        ws, n = self.ws, self.ws * self.ws
        x = F.pad(x, (0, 0, 0, (ws - W % ws) % ws, 0, (ws - H % ws) % ws))
        _, pH, pW, _ = x.shape
        sh = 0 if ws >= pH else self.shift
        sw = 0 if ws >= pW else self.shift
        if sh + sw > 0:
            x = torch.roll(x, shifts=(-sh, -sw), dims=(1, 2))
        nW = (pH // ws) * (pW // ws)
        x = x.view(B, pH // ws, ws, pW // ws, ws, C).permute(0, 1, 3, 2, 4, 5).reshape(B * nW, n, C)
        q, k, v = self.qkv(x).reshape(B * nW, n, 3, self.heads, C // self.heads).permute(2, 0, 3, 1, 4)
        attn = (q * (C // self.heads) ** -0.5) @ k.transpose(-2, -1)
        attn = attn + self.relative_position_bias_table[self.index].permute(2, 0, 1)
        if sh + sw > 0:
            label = x.new_zeros((pH, pW))
            count = 0
            for h in ((0, -ws), (-ws, -sh), (-sh, None)):
                for w in ((0, -ws), (-ws, -sw), (-sw, None)):
                    label[h[0] : h[1], w[0] : w[1]] = count
                    count += 1
            label = label.view(pH // ws, ws, pW // ws, ws).permute(0, 2, 1, 3).reshape(nW, n)
            mask = (label[:, None, :] != label[:, :, None]).to(x.dtype) * -100.0
            attn = (attn.view(B, nW, self.heads, n, n) + mask[None, :, None]).view(-1, self.heads, n, n)
        x = (F.softmax(attn, dim=-1) @ v).transpose(1, 2).reshape(B * nW, n, C)
        x = self.proj(x).view(B, pH // ws, pW // ws, ws, ws, C).permute(0, 1, 3, 2, 4, 5).reshape(B, pH, pW, C)
        if sh + sw > 0:
            x = torch.roll(x, shifts=(sh, sw), dims=(1, 2))
        return x[:, :H, :W, :].contiguous()
`,
};

export default defineBlock({
  type: 'ShiftedWindowAttention',
  category: 'attention',
  label: 'Shifted window attention',
  docs:
    "Swin Transformer's attention on an image-like map [H, W, C]: the map is cut into windowSize × windowSize windows and every window runs multi-head self-attention on its own, with a learned bias per relative position. Alternate blocks with shiftSize 0 and windowSize / 2: the shifted windows straddle the previous ones, so information crosses window borders (a −100 mask keeps apart tokens the cyclic shift brought together). The map is padded to whole windows and cropped back. torchvision's ShiftedWindowAttention, same weights (the projections' kernels transposed).",
  params: {
    windowSize: { kind: 'int', default: 7, min: 1, doc: 'Height and width of each square window (Swin: 7).', key: true },
    shiftSize: { kind: 'int', default: 0, min: 0, doc: 'Cyclic shift before windowing; 0 for regular windows, windowSize / 2 (rounded down) for shifted ones. Must be < windowSize.', key: true },
    numHeads: { kind: 'int', default: 3, min: 1, doc: 'Attention heads; must divide the channel count.', key: true },
    qkvBias: { kind: 'bool', default: true, doc: 'Add a bias to the query/key/value projection.' },
    projBias: { kind: 'bool', default: true, doc: 'Add a bias to the output projection.' },
  },
  inputs: () => [{ name: 'in', doc: 'The feature map [H, W, C] (channels last).' }],
  outputs: () => ['out'],
  checkParams: checkWindow,
  inferShape([x], p) {
    mapDims(x, p);
    return [x!.slice()];
  },
  paramCount([x], p) {
    const { c } = mapDims(x, p);
    const t = (2 * p.windowSize - 1) ** 2 * p.numHeads;
    return { trainable: c * 3 * c + (p.qkvBias ? 3 * c : 0) + c * c + (p.projBias ? c : 0) + t, nonTrainable: 0 };
  },
  // Per token of the padded map: the qkv (3C²) and output (C²) projections, then per window the
  // scores and the weighted sum (n·C each per token, n = windowSize² tokens per window).
  macs([x], p) {
    const { h, w, c } = mapDims(x, p);
    const g = swinGeometry(h, w, p.windowSize, p.shiftSize);
    return g.ph * g.pw * (4 * c * c + 2 * g.n * c);
  },
  tfjsLayers: [ShiftedWindowAttention],
  toTfjs: ([x], p, ctx) => [
    ctx
      .register(
        new ShiftedWindowAttention({
          name: ctx.name,
          windowSize: p.windowSize,
          shiftSize: p.shiftSize,
          numHeads: p.numHeads,
          qkvBias: p.qkvBias,
          projBias: p.projBias,
          kernelInitializer: ctx.kernelInitializer,
        }),
      )
      .apply(x!) as never,
  ],
  toOnnx(ctx, { inputs, params: p, inputShapes, weights, nodeId }) {
    const { h, w, c } = mapDims(inputShapes[0], p);
    return [
      swinOnnx(ctx, inputs[0]!, swinGeometry(h, w, p.windowSize, p.shiftSize), c, p.numHeads, {
        qkvKernel: findWeight(weights, 'qkv/kernel', nodeId),
        qkvBias: p.qkvBias ? findWeight(weights, 'qkv/bias', nodeId) : undefined,
        projKernel: findWeight(weights, 'proj/kernel', nodeId),
        projBias: p.projBias ? findWeight(weights, 'proj/bias', nodeId) : undefined,
        table: findWeight(weights, 'relative_position_bias_table', nodeId),
      }),
    ];
  },
  pytorchPrelude: [SWIN_PY],
  toPytorch(a) {
    const p = a.params;
    const { c } = mapDims(a.inputShapes[0], p);
    const lin = (name: string, rows: number, cols: number, bias: boolean) => ({
      [`${name}.weight`]: transpose2d(pick(a.weights, `${name}/kernel`, a.nodeId).data, rows, cols),
      ...(bias ? { [`${name}.bias`]: asIs(pick(a.weights, `${name}/bias`, a.nodeId)) } : {}),
    });
    return callMember(a, `ShiftedWindowAttention(${c}, ${p.windowSize}, ${p.shiftSize}, ${p.numHeads}, qkv_bias=${py(p.qkvBias)}, proj_bias=${py(p.projBias)})`, {
      ...lin('qkv', c, 3 * c, p.qkvBias),
      ...lin('proj', c, c, p.projBias),
      relative_position_bias_table: asIs(pick(a.weights, 'relative_position_bias_table', a.nodeId)),
    });
  },
  fixtures: [
    { params: { windowSize: 4, shiftSize: 2, numHeads: 3 }, inputs: [[null, 8, 8, 12]], note: 'shifted' },
    { params: { windowSize: 4, shiftSize: 0, numHeads: 2 }, inputs: [[null, 8, 8, 8]], note: 'regular windows' },
    { params: { windowSize: 3, shiftSize: 1, numHeads: 2, qkvBias: false }, inputs: [[null, 7, 5, 4]], note: 'padding to whole windows' },
    { params: { windowSize: 6, shiftSize: 3, numHeads: 1, projBias: false }, inputs: [[null, 5, 9, 6]], note: 'ws ≥ H: shift along H dropped' },
    { params: { windowSize: 8, shiftSize: 4, numHeads: 2 }, inputs: [[null, 6, 6, 4]], note: 'one window: no shift at all' },
  ],
});
