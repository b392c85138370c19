// The mobile families: MobileNetV2, MobileNetV3 (small, large) and EfficientNet-B0, exactly as
// torchvision 0.14 defines them.
//
// Exactness notes (for PyTorch parity and torchvision's counts):
// - torchvision pads every conv symmetrically by (k − 1) / 2. At stride 1 an odd kernel's "same"
//   is that; at stride 2 TF's "same" pads the bottom/right more, so those convs are a ZeroPadding2D
//   plus a "valid" conv (as in vision.ts).
// - Convolutions followed by batch norm have no bias (torchvision's Conv2dNormActivation); the
//   squeeze-and-excitation 1×1 convs keep theirs.
// - BatchNorm: MobileNetV2 and EfficientNet-B0 use torch's defaults (eps 1e-5, momentum 0.1 →
//   tfjs 0.9); MobileNetV3 uses eps 0.001, momentum 0.01 (tfjs 0.99).
// - Squeeze-and-excitation is torchvision's SqueezeExcitation: global average pool (kept as
//   1×1×C), 1×1 conv, activation, 1×1 conv, gate, then a broadcasting Multiply with the input.
import { type Ref, type Scope } from './builder';
import type { UnitHost } from './units';

type Bn = { momentum: number; epsilon: number };
const BN_TORCH: Bn = { momentum: 0.9, epsilon: 1e-5 };
const BN_V3: Bn = { momentum: 0.99, epsilon: 0.001 };

/** torchvision's _make_divisible: round to a multiple of 8, never more than 10% down. */
export function makeDivisible(v: number, divisor = 8): number {
  let n = Math.max(divisor, Math.floor(v + divisor / 2) - (Math.floor(v + divisor / 2) % divisor));
  if (n < 0.9 * v) n += divisor;
  return n;
}

interface ConvOpts {
  /** Output channels (ignored for depthwise: it keeps the input's). */
  filters?: number;
  kernel: number;
  stride: number;
  depthwise?: boolean;
  /** Activation after batch norm (none: linear). */
  act?: string;
  bn: Bn;
}

/** torchvision's Conv2dNormActivation: conv (no bias, symmetric padding) – BN – activation. */
function convBnAct(s: Scope, id: string, x: Ref, o: ConvOpts): Ref {
  const pad = (o.kernel - 1) / 2;
  let padding = o.kernel === 1 ? 'valid' : 'same';
  if (o.stride > 1 && pad > 0) {
    x = s.add(`${id}_pad`, 'ZeroPadding2D', { padding: pad }, [x]);
    padding = 'valid';
  }
  const common = { kernelSize: o.kernel, strides: o.stride, padding, useBias: false };
  let y = o.depthwise ? s.add(id, 'DepthwiseConv2D', common, [x]) : s.add(id, 'Conv2D', { filters: o.filters, ...common }, [x]);
  y = s.add(`${id}_bn`, 'BatchNormalization', o.bn, [y]);
  return o.act ? s.add(`${id}_act`, 'Activation', { activation: o.act }, [y]) : y;
}

/** Squeeze-and-excitation: pool to 1×1×C, squeeze, excite, gate the input channel by channel. */
function squeezeExcite(s: Scope, x: Ref, channels: number, squeeze: number, act: string, gate: string): Ref {
  const p = s.add('se_pool', 'GlobalAveragePooling2D', { keepDims: true }, [x]);
  const f1 = s.add('se_fc1', 'Conv2D', { filters: squeeze, kernelSize: 1, activation: act }, [p]);
  const f2 = s.add('se_fc2', 'Conv2D', { filters: channels, kernelSize: 1, activation: gate }, [f1]);
  return s.add('se_scale', 'Multiply', {}, [
    [x, 'in0'],
    [f2, 'in1'],
  ]);
}

/** One inverted residual (MobileNetV2/V3) or MBConv (EfficientNet) unit. */
export interface InvertedResidualCfg {
  in: number;
  expanded: number;
  out: number;
  kernel: number;
  stride: number;
  act: string;
  /** Squeeze channels of the SE block (none: no SE). */
  se?: number;
  /** SE's inner activation and gate. */
  seAct?: string;
  seGate?: string;
  bn: Bn;
  /** Stochastic depth rate on the residual branch (EfficientNet). */
  dropPath?: number;
}

export function invertedResidual(c: InvertedResidualCfg) {
  return (s: Scope, x: Ref): Ref => {
    let y = x;
    if (c.expanded !== c.in) y = convBnAct(s, 'expand', y, { filters: c.expanded, kernel: 1, stride: 1, act: c.act, bn: c.bn });
    y = convBnAct(s, 'dw', y, { kernel: c.kernel, stride: c.stride, depthwise: true, act: c.act, bn: c.bn });
    if (c.se !== undefined) y = squeezeExcite(s, y, c.expanded, c.se, c.seAct ?? 'relu', c.seGate ?? 'hardSigmoidTorch');
    y = convBnAct(s, 'project', y, { filters: c.out, kernel: 1, stride: 1, bn: c.bn });
    if (c.stride !== 1 || c.in !== c.out) return y;
    if (c.dropPath) y = s.add('drop_path', 'StochasticDepth', { rate: c.dropPath }, [y]);
    return s.add('add', 'Add', {}, [
      [y, 'in0'],
      [x, 'in1'],
    ]);
  };
}

const ACT_NAME: Record<string, string> = { relu: 'ReLU', relu6: 'ReLU6', hardSwish: 'hard-swish', swish: 'SiLU' };

function addUnit(g: UnitHost, id: string, prefix: string, c: InvertedResidualCfg, x: Ref): Ref {
  const residual = c.stride === 1 && c.in === c.out;
  const name = `${prefix}_${c.in}_${c.expanded}_${c.out}_k${c.kernel}${c.stride > 1 ? '_s2' : ''}${c.se !== undefined ? '_se' : ''}_${c.act}${c.dropPath && residual ? `_dp${Math.round(c.dropPath * 10000)}` : ''}`;
  const label =
    `${prefix === 'MBConv' ? 'MBConv' : 'Inverted residual'} ${c.in}→${c.expanded}→${c.out}, ${c.kernel}×${c.kernel} depthwise` +
    `${c.stride > 1 ? ' stride 2' : ''}, ${ACT_NAME[c.act] ?? c.act}${c.se !== undefined ? ', SE' : ''}${residual ? `, residual${c.dropPath ? ` (drop path ${+c.dropPath.toFixed(4)})` : ''}` : ''}`;
  return g.unit(id, name, label, invertedResidual(c), x);
}

// ---------------------------------------------------------------------------------------------
// MobileNetV2 (Sandler et al.)
// ---------------------------------------------------------------------------------------------

/** torchvision's inverted_residual_setting: expansion t, channels c, repeats n, first stride s. */
const V2_SETTING: [number, number, number, number][] = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

export function mobilenetV2(g: UnitHost, classes = 1000): void {
  let x = g.add('input', 'Input', { shape: [224, 224, 3] }, []);
  x = convBnAct(g, 'stem', x, { filters: 32, kernel: 3, stride: 2, act: 'relu6', bn: BN_TORCH });
  let inp = 32;
  let k = 0;
  for (const [t, c, n, s] of V2_SETTING) {
    for (let i = 0; i < n; i++) {
      const cfg = { in: inp, expanded: Math.round(inp * t), out: c, kernel: 3, stride: i === 0 ? s : 1, act: 'relu6', bn: BN_TORCH };
      x = addUnit(g, `block${++k}`, 'InvertedResidual', cfg, x);
      inp = c;
    }
  }
  x = convBnAct(g, 'head', x, { filters: 1280, kernel: 1, stride: 1, act: 'relu6', bn: BN_TORCH });
  x = g.add('avgpool', 'GlobalAveragePooling2D', {}, [x]);
  x = g.add('dropout', 'Dropout', { rate: 0.2 }, [x]);
  g.add('fc', 'Dense', { units: classes, activation: 'softmax' }, [x]);
}

// ---------------------------------------------------------------------------------------------
// MobileNetV3 (Howard et al.)
// ---------------------------------------------------------------------------------------------

/** [input, kernel, expanded, output, SE, activation, stride] as torchvision's bneck_conf. */
type V3Row = [number, number, number, number, boolean, 'RE' | 'HS', number];

export const V3_LARGE: V3Row[] = [
  [16, 3, 16, 16, false, 'RE', 1],
  [16, 3, 64, 24, false, 'RE', 2],
  [24, 3, 72, 24, false, 'RE', 1],
  [24, 5, 72, 40, true, 'RE', 2],
  [40, 5, 120, 40, true, 'RE', 1],
  [40, 5, 120, 40, true, 'RE', 1],
  [40, 3, 240, 80, false, 'HS', 2],
  [80, 3, 200, 80, false, 'HS', 1],
  [80, 3, 184, 80, false, 'HS', 1],
  [80, 3, 184, 80, false, 'HS', 1],
  [80, 3, 480, 112, true, 'HS', 1],
  [112, 3, 672, 112, true, 'HS', 1],
  [112, 5, 672, 160, true, 'HS', 2],
  [160, 5, 960, 160, true, 'HS', 1],
  [160, 5, 960, 160, true, 'HS', 1],
];

export const V3_SMALL: V3Row[] = [
  [16, 3, 16, 16, true, 'RE', 2],
  [16, 3, 72, 24, false, 'RE', 2],
  [24, 3, 88, 24, false, 'RE', 1],
  [24, 5, 96, 40, true, 'HS', 2],
  [40, 5, 240, 40, true, 'HS', 1],
  [40, 5, 240, 40, true, 'HS', 1],
  [40, 5, 120, 48, true, 'HS', 1],
  [48, 5, 144, 48, true, 'HS', 1],
  [48, 5, 288, 96, true, 'HS', 2],
  [96, 5, 576, 96, true, 'HS', 1],
  [96, 5, 576, 96, true, 'HS', 1],
];

/** A MobileNetV3-style stack for 28×28 images (mobilenet-mini): two resolutions halved, SE at 7×7. */
export const V3_MINI: V3Row[] = [
  [16, 3, 16, 16, false, 'RE', 1],
  [16, 3, 64, 24, false, 'RE', 2],
  [24, 3, 72, 24, false, 'RE', 1],
  [24, 5, 96, 40, true, 'HS', 2],
  [40, 5, 120, 40, true, 'HS', 1],
];

export interface MobileNetV3Config {
  input: number[];
  classes: number;
  rows: V3Row[];
  /** Stem conv's width and stride (torchvision: 16, 2). */
  stem: { filters: number; stride: number };
  /** Hidden units of the classifier (torchvision: large 1280, small 1024). */
  hidden: number;
  dropout: number;
  /**
   * Batch norm settings (torchvision: eps 0.001, momentum 0.01, i.e. tfjs' 0.99). A run of a few
   * hundred steps needs faster moving statistics: at 0.99 they are still ~11% their initial
   * (0, 1) after 216 steps, and inference-mode accuracy stayed at chance (10%) while training
   * accuracy reached 83% (mobilenet-mini, 3 epochs).
   */
  bn?: Bn;
}

export function mobilenetV3(g: UnitHost, c: MobileNetV3Config): void {
  const BN = c.bn ?? BN_V3;
  let x = g.add('input', 'Input', { shape: c.input }, []);
  x = convBnAct(g, 'stem', x, { filters: c.stem.filters, kernel: 3, stride: c.stem.stride, act: 'hardSwish', bn: BN });
  c.rows.forEach(([inp, kernel, expanded, out, se, act, stride], i) => {
    const cfg: InvertedResidualCfg = { in: inp, expanded, out, kernel, stride, act: act === 'RE' ? 'relu' : 'hardSwish', bn: BN };
    if (se) Object.assign(cfg, { se: makeDivisible(Math.floor(expanded / 4)), seAct: 'relu', seGate: 'hardSigmoidTorch' });
    x = addUnit(g, `block${i + 1}`, 'InvertedResidual', cfg, x);
  });
  const last = c.rows[c.rows.length - 1]![3] * 6;
  x = convBnAct(g, 'head', x, { filters: last, kernel: 1, stride: 1, act: 'hardSwish', bn: BN });
  x = g.add('avgpool', 'GlobalAveragePooling2D', {}, [x]);
  x = g.add('fc1', 'Dense', { units: c.hidden, activation: 'hardSwish' }, [x]);
  x = g.add('dropout', 'Dropout', { rate: c.dropout }, [x]);
  g.add('fc2', 'Dense', { units: c.classes, activation: 'softmax' }, [x]);
}

// ---------------------------------------------------------------------------------------------
// EfficientNet-B0 (Tan & Le)
// ---------------------------------------------------------------------------------------------

/** torchvision's MBConvConfig rows for B0: expansion, kernel, stride, input, output, layers. */
const B0: [number, number, number, number, number, number][] = [
  [1, 3, 1, 32, 16, 1],
  [6, 3, 2, 16, 24, 2],
  [6, 5, 2, 24, 40, 2],
  [6, 3, 2, 40, 80, 3],
  [6, 5, 1, 80, 112, 3],
  [6, 5, 2, 112, 192, 4],
  [6, 3, 1, 192, 320, 1],
];

export function efficientnetB0(g: UnitHost, classes = 1000): void {
  let x = g.add('input', 'Input', { shape: [224, 224, 3] }, []);
  x = convBnAct(g, 'stem', x, { filters: 32, kernel: 3, stride: 2, act: 'swish', bn: BN_TORCH });
  const total = B0.reduce((n, r) => n + r[5], 0);
  let id = 0;
  for (const [t, kernel, stride, inp, out, layers] of B0) {
    for (let i = 0; i < layers; i++) {
      const cin = i === 0 ? inp : out;
      // torchvision: stochastic depth 0.2 × block index / blocks, squeeze to input channels / 4.
      const cfg = { in: cin, expanded: makeDivisible(cin * t), out, kernel, stride: i === 0 ? stride : 1, act: 'swish', se: Math.max(1, Math.floor(cin / 4)), seAct: 'swish', seGate: 'sigmoid', bn: BN_TORCH, dropPath: (0.2 * id) / total };
      x = addUnit(g, `block${++id}`, 'MBConv', cfg, x);
    }
  }
  x = convBnAct(g, 'head', x, { filters: 1280, kernel: 1, stride: 1, act: 'swish', bn: BN_TORCH });
  x = g.add('avgpool', 'GlobalAveragePooling2D', {}, [x]);
  x = g.add('dropout', 'Dropout', { rate: 0.2 }, [x]);
  g.add('fc', 'Dense', { units: classes, activation: 'softmax' }, [x]);
}
