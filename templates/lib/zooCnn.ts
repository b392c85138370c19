// Modern CNNs from the torchvision zoo, exactly as torchvision 0.14 builds them: SqueezeNet 1.1,
// ShuffleNetV2, RegNetY and DenseNet (ResNeXt is vision.ts' ResNet with grouped bottlenecks).
//
// Exactness notes (as in vision.ts):
// - torchvision pads symmetrically: a stride-2 conv or pool is ZeroPadding2D + "valid"; at stride
//   1 with an odd kernel, "same" equals torch's padding k // 2 and is used.
// - Max pooling with padding after a ReLU: zeros instead of torch's −inf give the same maximum.
// - BatchNormalization: epsilon 1e-5, tfjs momentum 0.9 (torch's 0.1).
// - torchvision returns logits; the templates end in a softmax, as the other classifiers here.
import { port, type Ref, type Scope } from './builder';
import type { UnitHost } from './units';

const BN = { momentum: 0.9, epsilon: 1e-5 };

function bnRelu(s: Scope, id: string, x: Ref, relu = true): Ref {
  const y = s.add(`${id}_bn`, 'BatchNormalization', BN, [x]);
  return relu ? s.add(`${id}_relu`, 'Activation', { activation: 'relu' }, [y]) : y;
}

/** A bias-free k×k conv (groups g) with torch's symmetric padding (k − 1) / 2 at any stride. */
function conv(s: Scope, id: string, x: Ref, filters: number, kernelSize: number, strides = 1, groups = 1): Ref {
  const pad = (kernelSize - 1) / 2;
  const g = groups > 1 ? { groups } : {};
  if (strides === 1 || pad === 0) return s.add(id, 'Conv2D', { filters, kernelSize, strides: strides > 1 ? strides : undefined, padding: pad ? 'same' : 'valid', useBias: false, ...g }, [x]);
  const p = s.add(`${id}_pad`, 'ZeroPadding2D', { padding: pad }, [x]);
  return s.add(id, 'Conv2D', { filters, kernelSize, strides, padding: 'valid', useBias: false, ...g }, [p]);
}

/** A bias-free 3×3 depthwise conv with torch's padding 1. */
function depthwise(s: Scope, id: string, x: Ref, strides: number): Ref {
  if (strides === 1) return s.add(id, 'DepthwiseConv2D', { kernelSize: 3, padding: 'same', useBias: false }, [x]);
  const p = s.add(`${id}_pad`, 'ZeroPadding2D', { padding: 1 }, [x]);
  return s.add(id, 'DepthwiseConv2D', { kernelSize: 3, strides, padding: 'valid', useBias: false }, [p]);
}

/** 3×3 stride-2 max pool with torch's padding 1 (after a ReLU, so zero padding is exact). */
function maxPoolPadded(s: Scope, id: string, x: Ref): Ref {
  const p = s.add(`${id}_pad`, 'ZeroPadding2D', { padding: 1 }, [x]);
  return s.add(id, 'MaxPooling2D', { poolSize: 3, strides: 2, padding: 'valid' }, [p]);
}

function concat(s: Scope, id: string, a: Ref, b: Ref): Ref {
  return s.add(id, 'Concatenate', {}, [
    [a, 'in0'],
    [b, 'in1'],
  ]);
}

// ---------------------------------------------------------------------------------------------
// SqueezeNet 1.1 (Iandola et al.): fire modules, no dense layer
// ---------------------------------------------------------------------------------------------

/** Fire module: 1×1 squeeze + ReLU, then 1×1 and 3×3 expands (each + ReLU) concatenated. */
function fire(squeeze: number, expand: number) {
  return (s: Scope, x: Ref): Ref => {
    const sq = s.add('squeeze', 'Conv2D', { filters: squeeze, kernelSize: 1, activation: 'relu' }, [x]);
    const e1 = s.add('expand1x1', 'Conv2D', { filters: expand, kernelSize: 1, activation: 'relu' }, [sq]);
    const e3 = s.add('expand3x3', 'Conv2D', { filters: expand, kernelSize: 3, padding: 'same', activation: 'relu' }, [sq]);
    return concat(s, 'concat', e1, e3);
  };
}

export function squeezenet11(g: UnitHost, c: { input: number[]; classes: number }): void {
  let x = g.add('input', 'Input', { shape: c.input }, []);
  x = g.add('conv1', 'Conv2D', { filters: 64, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu' }, [x]);
  const pool = (id: string, y: Ref) => g.add(id, 'MaxPooling2D', { poolSize: 3, strides: 2, padding: 'valid', ceilMode: true }, [y]);
  x = pool('pool1', x);
  // [squeeze, expand] per fire module; a ceil-mode max pool after the 2nd and 4th.
  const fires: [number, number][] = [[16, 64], [16, 64], [32, 128], [32, 128], [48, 192], [48, 192], [64, 256], [64, 256]];
  fires.forEach(([sq, ex], i) => {
    x = g.unit(`fire${i + 2}`, `Fire_${sq}_${ex}`, `Fire module: squeeze 1×1-${sq}, expand 1×1-${ex} ‖ 3×3-${ex}`, fire(sq, ex), x);
    if (i === 1) x = pool('pool3', x);
    if (i === 3) x = pool('pool5', x);
  });
  // torchvision's classifier: Dropout, 1×1 conv to the classes, ReLU, global average pool.
  x = g.add('drop', 'Dropout', { rate: 0.5 }, [x]);
  x = g.add('conv10', 'Conv2D', { filters: c.classes, kernelSize: 1, activation: 'relu' }, [x]);
  x = g.add('avgpool', 'GlobalAveragePooling2D', {}, [x]);
  g.add('softmax', 'Activation', { activation: 'softmax' }, [x]);
}

// ---------------------------------------------------------------------------------------------
// ShuffleNetV2 (Ma et al.): channel split, a cheap branch, concatenation, channel shuffle
// ---------------------------------------------------------------------------------------------

/** ShuffleNetV2 unit. Stride 1: split in half, one half through the branch. Stride 2: both branches see the input. */
function shuffleUnit(out: number, stride: number) {
  const half = out / 2;
  return (s: Scope, x: Ref): Ref => {
    let keep: Ref;
    let into: Ref;
    if (stride === 1) {
      const split = s.add('split', 'ChannelSplit', { parts: 2 }, [x]);
      keep = port(split, 'out0');
      into = port(split, 'out1');
    } else {
      // branch1: depthwise 3×3/2 + BN, 1×1 + BN + ReLU
      let b = depthwise(s, 'branch1_dw', x, stride);
      b = bnRelu(s, 'branch1_dw', b, false);
      b = conv(s, 'branch1_pw', b, half, 1);
      keep = bnRelu(s, 'branch1_pw', b);
      into = x;
    }
    // branch2: 1×1 + BN + ReLU, depthwise 3×3 + BN, 1×1 + BN + ReLU
    let y = conv(s, 'branch2_pw1', into, half, 1);
    y = bnRelu(s, 'branch2_pw1', y);
    y = depthwise(s, 'branch2_dw', y, stride);
    y = bnRelu(s, 'branch2_dw', y, false);
    y = conv(s, 'branch2_pw2', y, half, 1);
    y = bnRelu(s, 'branch2_pw2', y);
    const joined = concat(s, 'concat', keep, y);
    return s.add('shuffle', 'ChannelShuffle', { groups: 2 }, [joined]);
  };
}

export interface ShuffleNetConfig {
  input: number[];
  classes: number;
  /** Units per stage (torchvision: 4, 8, 4). */
  repeats: number[];
  /** Stem, the three stages and the last 1×1 conv (x1.0: 24, 116, 232, 464, 1024). */
  widths: number[];
}

export function shufflenetV2(g: UnitHost, c: ShuffleNetConfig): void {
  let x = g.add('input', 'Input', { shape: c.input }, []);
  x = conv(g, 'conv1', x, c.widths[0]!, 3, 2);
  x = bnRelu(g, 'conv1', x);
  x = maxPoolPadded(g, 'maxpool', x);
  c.repeats.forEach((n, i) => {
    const out = c.widths[i + 1]!;
    for (let j = 0; j < n; j++) {
      const stride = j === 0 ? 2 : 1;
      const label = `ShuffleNetV2 unit ${out}${stride > 1 ? ', stride 2 (two branches)' : ' (split, one branch)'}`;
      x = g.unit(`stage${i + 2}_${j}`, `ShuffleUnit_${out}${stride > 1 ? '_s2' : ''}`, label, shuffleUnit(out, stride), x);
    }
  });
  x = conv(g, 'conv5', x, c.widths[c.widths.length - 1]!, 1);
  x = bnRelu(g, 'conv5', x);
  x = g.add('avgpool', 'GlobalAveragePooling2D', {}, [x]);
  g.add('fc', 'Dense', { units: c.classes, activation: 'softmax' }, [x]);
}

// ---------------------------------------------------------------------------------------------
// RegNetY (Radosavovic et al.): bottleneck with grouped 3×3 and squeeze-and-excitation
// ---------------------------------------------------------------------------------------------

/** Squeeze-and-excitation: global average (kept as 1×1), 1×1 conv + ReLU, 1×1 conv + sigmoid, times the input. */
function squeezeExcite(s: Scope, x: Ref, channels: number, squeeze: number): Ref {
  let w = s.add('se_pool', 'GlobalAveragePooling2D', { keepDims: true }, [x]);
  w = s.add('se_fc1', 'Conv2D', { filters: squeeze, kernelSize: 1, activation: 'relu' }, [w]);
  w = s.add('se_fc2', 'Conv2D', { filters: channels, kernelSize: 1, activation: 'sigmoid' }, [w]);
  return s.add('se_scale', 'Multiply', {}, [
    [x, 'in0'],
    [w, 'in1'],
  ]);
}

/** RegNetY block (bottleneck multiplier 1): [1×1 + BN projection] + (1×1, grouped 3×3 (stride s), SE, 1×1), ReLU. */
function regnetYBlock(widthIn: number, widthOut: number, stride: number, groupWidth: number, seRatio: number) {
  return (s: Scope, x: Ref): Ref => {
    let short = x;
    if (widthIn !== widthOut || stride !== 1) short = bnRelu(s, 'proj', conv(s, 'proj', x, widthOut, 1, stride), false);
    let y = bnRelu(s, 'a', conv(s, 'a', x, widthOut, 1));
    y = bnRelu(s, 'b', conv(s, 'b', y, widthOut, 3, stride, widthOut / groupWidth));
    // torchvision sizes the squeeze from the block's input width.
    y = squeezeExcite(s, y, widthOut, Math.round(seRatio * widthIn));
    y = bnRelu(s, 'c', conv(s, 'c', y, widthOut, 1), false);
    const sum = s.add('add', 'Add', {}, [
      [short, 'in0'],
      [y, 'in1'],
    ]);
    return s.add('relu', 'Activation', { activation: 'relu' }, [sum]);
  };
}

export interface RegNetConfig {
  input: number[];
  classes: number;
  stem: number;
  /** Blocks and width per stage (regnet_y_400mf: 1, 3, 6, 6 blocks of 48, 104, 208, 440). */
  depths: number[];
  widths: number[];
  groupWidth: number;
  seRatio: number;
}

export function regnetY(g: UnitHost, c: RegNetConfig): void {
  let x = g.add('input', 'Input', { shape: c.input }, []);
  x = bnRelu(g, 'stem', conv(g, 'stem', x, c.stem, 3, 2));
  let w = c.stem;
  c.depths.forEach((n, i) => {
    const out = c.widths[i]!;
    for (let j = 0; j < n; j++) {
      const stride = j === 0 ? 2 : 1;
      const name = `RegNetY_${w}_${out}${stride > 1 ? '_s2' : ''}`;
      const label = `RegNetY block ${w}→${out}, ${out / c.groupWidth} groups, SE ${Math.round(c.seRatio * w)}${stride > 1 ? ', stride 2' : ''}${w !== out || stride > 1 ? ', projection shortcut' : ''}`;
      x = g.unit(`block${i + 1}_${j}`, name, label, regnetYBlock(w, out, stride, c.groupWidth, c.seRatio), x);
      w = out;
    }
  });
  x = g.add('avgpool', 'GlobalAveragePooling2D', {}, [x]);
  g.add('fc', 'Dense', { units: c.classes, activation: 'softmax' }, [x]);
}

// ---------------------------------------------------------------------------------------------
// DenseNet (Huang et al.): every layer's output is concatenated onto its input
// ---------------------------------------------------------------------------------------------

/** Dense layer: BN-ReLU-1×1 (bnSize·growth) - BN-ReLU-3×3 (growth), concatenated after its input. */
function denseLayer(growth: number, bnSize: number) {
  return (s: Scope, x: Ref): Ref => {
    let y = conv(s, 'conv1', bnRelu(s, 'norm1', x), bnSize * growth, 1);
    y = conv(s, 'conv2', bnRelu(s, 'norm2', y), growth, 3);
    return concat(s, 'concat', x, y);
  };
}

/** Transition: BN-ReLU-1×1 conv (halves the channels), 2×2 average pool. */
function transition(out: number) {
  return (s: Scope, x: Ref): Ref => {
    const y = conv(s, 'conv', bnRelu(s, 'norm', x), out, 1);
    return s.add('pool', 'AveragePooling2D', { poolSize: 2, strides: 2 }, [y]);
  };
}

export interface DenseNetConfig {
  input: number[];
  classes: number;
  growth: number;
  /** Dense layers per block (densenet121: 6, 12, 24, 16). */
  blocks: number[];
  initFeatures: number;
  bnSize: number;
}

export function densenet(g: UnitHost, c: DenseNetConfig): void {
  let x = g.add('input', 'Input', { shape: c.input }, []);
  x = bnRelu(g, 'conv0', conv(g, 'conv0', x, c.initFeatures, 7, 2));
  x = maxPoolPadded(g, 'pool0', x);
  let features = c.initFeatures;
  c.blocks.forEach((n, i) => {
    for (let j = 0; j < n; j++) {
      const label = `Dense layer: BN-ReLU-1×1-${c.bnSize * c.growth}, BN-ReLU-3×3-${c.growth}, concatenated onto its input`;
      x = g.unit(`denseblock${i + 1}_${j + 1}`, `DenseLayer_${c.growth}`, label, denseLayer(c.growth, c.bnSize), x);
    }
    features += n * c.growth;
    if (i < c.blocks.length - 1) {
      features /= 2;
      x = g.unit(`transition${i + 1}`, `Transition_${features}`, `Transition: BN-ReLU-1×1-${features}, 2×2 average pool`, transition(features), x);
    }
  });
  x = bnRelu(g, 'norm5', x);
  x = g.add('avgpool', 'GlobalAveragePooling2D', {}, [x]);
  g.add('classifier', 'Dense', { units: c.classes, activation: 'softmax' }, [x]);
}
