// GoogLeNet, ConvNeXt and the Vision Transformer exactly as torchvision 0.14 builds them (random
// weights, no auxiliary heads), and a small ViT sized to train on Fashion-MNIST.
//
// Exactness notes (for parity with torchvision):
// - GoogLeNet's BasicConv2d is conv (no bias) + BatchNorm(eps 0.001) + ReLU. Its max pools use
//   ceil_mode=True; the stride-1 pool in each inception module pads 1, which is "same" at stride
//   1 (its input follows a ReLU, so zero padding never wins the max). The "5×5" branch is a 3×3
//   convolution in torchvision (a known deviation it keeps for its weights), so it is here too.
//   torchvision leaves transform_input off when built without weights, so no input rescaling.
// - ConvNeXt's LayerNorm2d normalises the channels of an NCHW map: LayerNormalization over the last
//   axis of our NHWC map, eps 1e-6. Its stochastic depth rate grows linearly over the 18 blocks
//   (0.1 · i / 17), so each block is its own macro (a macro has no parameters).
// - ViT: the 16×16 patches are read in row-major order, as torchvision's reshape + permute; the
//   classifier reads token 0, taken here with Reshape → Cropping2D → Reshape (there is no
//   token-select block). Dropout rates are 0 in torchvision's ViT, so no Dropout blocks.
import type { Ref, Scope } from './builder';
import type { UnitHost } from './units';

/** torchvision's GoogLeNet BatchNorm: eps 0.001, torch momentum 0.1 (tfjs 0.9). */
const BN_GOOGLENET = { momentum: 0.9, epsilon: 0.001 };
const LN = { epsilon: 1e-6 };

/** A conv with torchvision's symmetric padding (a ZeroPadding2D + valid conv where "same" would differ). */
function conv(s: Scope, id: string, x: Ref, p: { filters: number; kernel: number; stride?: number; pad?: number; bias?: boolean }): Ref {
  const stride = p.stride ?? 1;
  const pad = p.pad ?? 0;
  const base = { filters: p.filters, kernelSize: p.kernel, strides: stride > 1 ? stride : undefined, useBias: p.bias === false ? false : undefined };
  if (pad === 0) return s.add(id, 'Conv2D', { ...base, padding: 'valid' }, [x]);
  if (stride === 1 && 2 * pad === p.kernel - 1) return s.add(id, 'Conv2D', { ...base, padding: 'same' }, [x]);
  const padded = s.add(`${id}_pad`, 'ZeroPadding2D', { padding: pad }, [x]);
  return s.add(id, 'Conv2D', { ...base, padding: 'valid' }, [padded]);
}

// ---------------------------------------------------------------------------------------------
// GoogLeNet (Szegedy et al. 2015), torchvision's definition without the auxiliary classifiers
// ---------------------------------------------------------------------------------------------

/** BasicConv2d: conv (no bias) + BN + ReLU. */
function basicConv(s: Scope, id: string, x: Ref, filters: number, kernel: number, stride = 1, pad = 0): Ref {
  const c = conv(s, id, x, { filters, kernel, stride, pad, bias: false });
  const b = s.add(`${id}_bn`, 'BatchNormalization', BN_GOOGLENET, [c]);
  return s.add(`${id}_relu`, 'Activation', { activation: 'relu' }, [b]);
}

/** [ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, poolProj] as torchvision's Inception arguments. */
export type InceptionWidths = [number, number, number, number, number, number];

export function inceptionModule(w: InceptionWidths) {
  const [c1, c3r, c3, c5r, c5, pp] = w;
  return (s: Scope, x: Ref): Ref => {
    const b1 = basicConv(s, 'branch1', x, c1, 1);
    const b2 = basicConv(s, 'branch2_conv2', basicConv(s, 'branch2_conv1', x, c3r, 1), c3, 3, 1, 1);
    const b3 = basicConv(s, 'branch3_conv2', basicConv(s, 'branch3_conv1', x, c5r, 1), c5, 3, 1, 1);
    const pool = s.add('branch4_pool', 'MaxPooling2D', { poolSize: 3, strides: 1, padding: 'same' }, [x]);
    const b4 = basicConv(s, 'branch4_conv', pool, pp, 1);
    return s.add('concat', 'Concatenate', { axis: -1 }, [
      [b1, 'in0'],
      [b2, 'in1'],
      [b3, 'in2'],
      [b4, 'in3'],
    ]);
  };
}

const GOOGLENET_STAGES: (InceptionWidths | 'pool3' | 'pool2')[] = [
  [64, 96, 128, 16, 32, 32], // 3a
  [128, 128, 192, 32, 96, 64], // 3b
  'pool3',
  [192, 96, 208, 16, 48, 64], // 4a
  [160, 112, 224, 24, 64, 64], // 4b
  [128, 128, 256, 24, 64, 64], // 4c
  [112, 144, 288, 32, 64, 64], // 4d
  [256, 160, 320, 32, 128, 128], // 4e
  'pool2',
  [256, 160, 320, 32, 128, 128], // 5a
  [384, 192, 384, 48, 128, 128], // 5b
];

export function googlenet(g: UnitHost, c: { classes: number }): void {
  let x = g.add('input', 'Input', { shape: [224, 224, 3] }, []);
  x = basicConv(g, 'conv1', x, 64, 7, 2, 3);
  x = g.add('maxpool1', 'MaxPooling2D', { poolSize: 3, strides: 2, ceilMode: true }, [x]);
  x = basicConv(g, 'conv2', x, 64, 1);
  x = basicConv(g, 'conv3', x, 192, 3, 1, 1);
  x = g.add('maxpool2', 'MaxPooling2D', { poolSize: 3, strides: 2, ceilMode: true }, [x]);
  const names = ['3a', '3b', '4a', '4b', '4c', '4d', '4e', '5a', '5b'];
  let k = 0;
  let pools = 3;
  for (const st of GOOGLENET_STAGES) {
    if (st === 'pool3' || st === 'pool2') {
      const size = st === 'pool3' ? 3 : 2;
      x = g.add(`maxpool${pools++}`, 'MaxPooling2D', { poolSize: size, strides: 2, ceilMode: true }, [x]);
      continue;
    }
    const out = st[0] + st[2] + st[4] + st[5];
    x = g.unit(`inception${names[k++]}`, `Inception_${st.join('_')}`, `Inception module → ${out} channels (1×1 ${st[0]} · 3×3 ${st[2]} · "5×5" ${st[4]} · pool ${st[5]})`, inceptionModule(st), x);
  }
  x = g.add('avgpool', 'GlobalAveragePooling2D', {}, [x]);
  x = g.add('dropout', 'Dropout', { rate: 0.2 }, [x]);
  g.add('fc', 'Dense', { units: c.classes, activation: 'softmax' }, [x]);
}

// ---------------------------------------------------------------------------------------------
// ConvNeXt (Liu et al. 2022), torchvision's convnext_tiny
// ---------------------------------------------------------------------------------------------

/** CNBlock: 7×7 depthwise conv → LN → Linear 4× → GELU → Linear → LayerScale → StochasticDepth, + x. */
export function convnextBlock(dim: number, dropRate: number) {
  return (s: Scope, x: Ref): Ref => {
    // groups = channels: DepthwiseConv2D (tfjs' native kernel); torch stores it as [dim, 1, 7, 7] too.
    let y = s.add('dwconv', 'DepthwiseConv2D', { kernelSize: 7, padding: 'same' }, [x]);
    y = s.add('norm', 'LayerNormalization', LN, [y]);
    y = s.add('pwconv1', 'Dense', { units: 4 * dim, activation: 'gelu' }, [y]);
    y = s.add('pwconv2', 'Dense', { units: dim }, [y]);
    y = s.add('layer_scale', 'LayerScale', { initValue: 1e-6 }, [y]);
    y = s.add('drop_path', 'StochasticDepth', { rate: dropRate }, [y]);
    return s.add('add', 'Add', {}, [
      [x, 'in0'],
      [y, 'in1'],
    ]);
  };
}

export function convnext(g: UnitHost, c: { classes: number; depths: number[]; dims: number[]; stochasticDepth: number }): void {
  let x = g.add('input', 'Input', { shape: [224, 224, 3] }, []);
  x = g.add('stem_conv', 'Conv2D', { filters: c.dims[0], kernelSize: 4, strides: 4, padding: 'valid' }, [x]);
  x = g.add('stem_norm', 'LayerNormalization', LN, [x]);
  const total = c.depths.reduce((a, b) => a + b, 0);
  let block = 0;
  c.depths.forEach((n, i) => {
    const dim = c.dims[i]!;
    if (i > 0) {
      x = g.add(`downsample${i}_norm`, 'LayerNormalization', LN, [x]);
      x = g.add(`downsample${i}_conv`, 'Conv2D', { filters: dim, kernelSize: 2, strides: 2, padding: 'valid' }, [x]);
    }
    for (let j = 0; j < n; j++) {
      // torchvision: sd_prob = stochastic_depth_prob · block_id / (total − 1).
      const rate = Math.round(((c.stochasticDepth * block) / (total - 1)) * 1e6) / 1e6;
      x = g.unit(`stage${i + 1}_${j}`, `ConvNeXtBlock_${dim}_sd${rate}`, `ConvNeXt block ${dim} (7×7 depthwise, MLP ${4 * dim}, drop path ${rate})`, convnextBlock(dim, rate), x);
      block++;
    }
  });
  x = g.add('avgpool', 'GlobalAveragePooling2D', {}, [x]);
  x = g.add('head_norm', 'LayerNormalization', LN, [x]);
  g.add('head', 'Dense', { units: c.classes, activation: 'softmax' }, [x]);
}

// ---------------------------------------------------------------------------------------------
// Vision Transformer (Dosovitskiy et al. 2021), torchvision's vit_b_16, and a small one
// ---------------------------------------------------------------------------------------------

export interface VitConfig {
  input: [number, number, number];
  classes: number;
  patch: number;
  dim: number;
  heads: number;
  mlp: number;
  layers: number;
  /** Dropout after attention and in the MLP (torchvision's ViT-B/16: 0, so none is placed). */
  dropout: number;
}

/** Pre-norm encoder block: x + MHA(LN(x)), then x + MLP(LN(x)) (torchvision's EncoderBlock). */
export function vitEncoderBlock(c: VitConfig) {
  return (s: Scope, x: Ref): Ref => {
    const n1 = s.add('ln_1', 'LayerNormalization', LN, [x]);
    let att = s.add('self_attention', 'MultiHeadAttention', { numHeads: c.heads, keyDim: c.dim / c.heads }, [
      [n1, 'query'],
      [n1, 'value'],
    ]);
    if (c.dropout > 0) att = s.add('dropout', 'Dropout', { rate: c.dropout }, [att]);
    const a = s.add('add1', 'Add', {}, [
      [x, 'in0'],
      [att, 'in1'],
    ]);
    const n2 = s.add('ln_2', 'LayerNormalization', LN, [a]);
    let m = s.add('mlp1', 'Dense', { units: c.mlp, activation: 'gelu' }, [n2]);
    if (c.dropout > 0) m = s.add('mlp_dropout1', 'Dropout', { rate: c.dropout }, [m]);
    m = s.add('mlp2', 'Dense', { units: c.dim }, [m]);
    if (c.dropout > 0) m = s.add('mlp_dropout2', 'Dropout', { rate: c.dropout }, [m]);
    return s.add('add2', 'Add', {}, [
      [a, 'in0'],
      [m, 'in1'],
    ]);
  };
}

export function vit(g: UnitHost, c: VitConfig): void {
  const [h, w] = c.input;
  if (h % c.patch !== 0 || w % c.patch !== 0) throw new Error(`vit template: input ${h}×${w} is not a multiple of the patch size ${c.patch}`);
  const patches = (h / c.patch) * (w / c.patch);
  let x = g.add('input', 'Input', { shape: c.input }, []);
  x = g.add('conv_proj', 'Conv2D', { filters: c.dim, kernelSize: c.patch, strides: c.patch, padding: 'valid' }, [x], `patch embedding ${c.patch}×${c.patch}`);
  x = g.add('patches', 'Reshape', { targetShape: [patches, c.dim] }, [x], `${patches} patch tokens`);
  x = g.add('class_token', 'ClassToken', {}, [x]);
  x = g.add('pos_embedding', 'PositionalEmbedding', { maxLength: patches + 1, outputDim: c.dim }, [x]);
  if (c.dropout > 0) x = g.add('pos_dropout', 'Dropout', { rate: c.dropout }, [x]);
  const name = `ViTEncoderBlock_${c.dim}_${c.heads}h_${c.mlp}`;
  for (let i = 0; i < c.layers; i++) x = g.unit(`encoder_layer_${i}`, name, `ViT encoder block (d=${c.dim}, ${c.heads} heads, MLP ${c.mlp}, pre-norm)`, vitEncoderBlock(c), x);
  x = g.add('ln', 'LayerNormalization', LN, [x]);
  // Token 0 (the class token's output): [T, D] → [T, D, 1], crop rows 1…T−1, → [D].
  x = g.add('tokens_as_image', 'Reshape', { targetShape: [patches + 1, c.dim, 1] }, [x]);
  x = g.add('class_token_out', 'Cropping2D', { cropping: [[0, patches], [0, 0]] }, [x], 'token 0 (class token)');
  x = g.add('class_features', 'Reshape', { targetShape: [c.dim] }, [x]);
  g.add('head', 'Dense', { units: c.classes, activation: 'softmax' }, [x]);
}
