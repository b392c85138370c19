// The image-classification families: AlexNet, VGG, ResNet (torchvision's definitions, exactly),
// their small MNIST-size variants, and LeNet-5.
//
// Exactness notes (for PyTorch parity):
// - torchvision pads symmetrically. TF "same" pads asymmetrically (extra pixel at the bottom and
//   right) whenever stride > 1 or the total padding is odd, so those layers are a ZeroPadding2D
//   with torchvision's padding followed by a "valid" conv or pool. At stride 1 with an odd kernel
//   "same" is symmetric and equal to torchvision's padding = k // 2, so it is used there.
// - Max pooling after a ReLU: torchvision pads with −inf, we pad with zeros; the inputs are ≥ 0 so
//   the maximum is the same.
// - BatchNormalization: epsilon 1e-5 as torch; tfjs momentum is the weight of the old statistic,
//   so torch's momentum 0.1 is tfjs' 0.9.
// - AlexNet and VGG end their features with AdaptiveAvgPool2d to 6×6 / 7×7; at a 224×224 input
//   the feature map is already that size, so the pool is the identity and is left out.
import { type Ref, type Scope } from './builder';
import type { UnitHost } from './units';

const BN = { momentum: 0.9, epsilon: 1e-5 };

function relu(s: Scope, id: string, x: Ref): Ref {
  return s.add(id, 'Activation', { activation: 'relu' }, [x]);
}

// ---------------------------------------------------------------------------------------------
// AlexNet (torchvision variant: 64-192-384-256-256 filters, no LRN, one GPU)
// ---------------------------------------------------------------------------------------------

export interface AlexNetConfig {
  input: number[];
  classes: number;
  /** Filters of the five convs. */
  filters: [number, number, number, number, number];
  /** First conv: kernel, stride, padding (torchvision: 11, 4, 2). */
  stem: { kernel: number; stride: number; pad: number };
  /** Second conv's kernel (torchvision: 5, padding 2). */
  conv2Kernel: number;
  hidden: number;
  dropout: number;
}

export function alexnet(g: Scope, c: AlexNetConfig): void {
  let x = g.add('input', 'Input', { shape: c.input }, []);
  if (c.stem.pad > 0) x = g.add('pad1', 'ZeroPadding2D', { padding: c.stem.pad }, [x]);
  x = g.add('conv1', 'Conv2D', { filters: c.filters[0], kernelSize: c.stem.kernel, strides: c.stem.stride, padding: 'valid', activation: 'relu' }, [x]);
  x = g.add('pool1', 'MaxPooling2D', { poolSize: 3, strides: 2, padding: 'valid' }, [x]);
  x = g.add('conv2', 'Conv2D', { filters: c.filters[1], kernelSize: c.conv2Kernel, padding: 'same', activation: 'relu' }, [x]);
  x = g.add('pool2', 'MaxPooling2D', { poolSize: 3, strides: 2, padding: 'valid' }, [x]);
  x = g.add('conv3', 'Conv2D', { filters: c.filters[2], kernelSize: 3, padding: 'same', activation: 'relu' }, [x]);
  x = g.add('conv4', 'Conv2D', { filters: c.filters[3], kernelSize: 3, padding: 'same', activation: 'relu' }, [x]);
  x = g.add('conv5', 'Conv2D', { filters: c.filters[4], kernelSize: 3, padding: 'same', activation: 'relu' }, [x]);
  x = g.add('pool5', 'MaxPooling2D', { poolSize: 3, strides: 2, padding: 'valid' }, [x]);
  x = g.add('flatten', 'Flatten', {}, [x]);
  // torchvision's classifier: Dropout, Linear, ReLU, Dropout, Linear, ReLU, Linear.
  x = g.add('drop6', 'Dropout', { rate: c.dropout }, [x]);
  x = g.add('fc6', 'Dense', { units: c.hidden, activation: 'relu' }, [x]);
  x = g.add('drop7', 'Dropout', { rate: c.dropout }, [x]);
  x = g.add('fc7', 'Dense', { units: c.hidden, activation: 'relu' }, [x]);
  g.add('fc8', 'Dense', { units: c.classes, activation: 'softmax' }, [x]);
}

// ---------------------------------------------------------------------------------------------
// VGG (Simonyan & Zisserman): stages of 3×3 convs, each stage ends in a 2×2 max pool
// ---------------------------------------------------------------------------------------------

export interface VggConfig {
  input: number[];
  classes: number;
  /** Conv filters per stage, e.g. VGG-16: [[64,64],[128,128],[256,256,256],[512,512,512],[512,512,512]]. */
  stages: number[][];
  batchNorm: boolean;
  hidden: number;
  dropout: number;
}

export const VGG_CFG: Record<'vgg11' | 'vgg13' | 'vgg16' | 'vgg19', number[]> = {
  vgg11: [1, 1, 2, 2, 2],
  vgg13: [2, 2, 2, 2, 2],
  vgg16: [2, 2, 3, 3, 3],
  vgg19: [2, 2, 4, 4, 4],
};

export function vggStages(convsPerStage: number[], widths = [64, 128, 256, 512, 512]): number[][] {
  return convsPerStage.map((n, i) => new Array<number>(n).fill(widths[i]!));
}

/** One VGG stage: n × (3×3 conv [+ BN] + ReLU), then 2×2/2 max pool. */
function vggStage(filters: number[], batchNorm: boolean) {
  return (s: Scope, x: Ref): Ref => {
    filters.forEach((f, j) => {
      const k = j + 1;
      if (batchNorm) {
        // torchvision's vgg*_bn keeps the conv bias (its count, 138,365,992, includes it).
        x = s.add(`conv${k}`, 'Conv2D', { filters: f, kernelSize: 3, padding: 'same' }, [x]);
        x = s.add(`bn${k}`, 'BatchNormalization', BN, [x]);
        x = relu(s, `relu${k}`, x);
      } else {
        x = s.add(`conv${k}`, 'Conv2D', { filters: f, kernelSize: 3, padding: 'same', activation: 'relu' }, [x]);
      }
    });
    return s.add('pool', 'MaxPooling2D', { poolSize: 2, strides: 2 }, [x]);
  };
}

export function vgg(g: UnitHost, c: VggConfig): void {
  let x = g.add('input', 'Input', { shape: c.input }, []);
  c.stages.forEach((filters, i) => {
    const name = `VGGStage_${filters.length}x${filters[0]}${c.batchNorm ? '_bn' : ''}`;
    const label = `VGG stage: ${filters.length} × conv3×3-${filters[0]}${c.batchNorm ? ' + BN' : ''}, max pool`;
    x = g.unit(`stage${i + 1}`, name, label, vggStage(filters, c.batchNorm), x);
  });
  x = g.add('flatten', 'Flatten', {}, [x]);
  // torchvision's classifier: Linear, ReLU, Dropout, Linear, ReLU, Dropout, Linear.
  x = g.add('fc6', 'Dense', { units: c.hidden, activation: 'relu' }, [x]);
  x = g.add('drop6', 'Dropout', { rate: c.dropout }, [x]);
  x = g.add('fc7', 'Dense', { units: c.hidden, activation: 'relu' }, [x]);
  x = g.add('drop7', 'Dropout', { rate: c.dropout }, [x]);
  g.add('fc8', 'Dense', { units: c.classes, activation: 'softmax' }, [x]);
}

// ---------------------------------------------------------------------------------------------
// ResNet (He et al.), torchvision v1.5: the bottleneck strides on its 3×3
// ---------------------------------------------------------------------------------------------

/** A 3×3 conv (no bias; grouped for ResNeXt) with torchvision's symmetric padding 1 at any stride. */
function conv3x3(s: Scope, id: string, x: Ref, filters: number, stride: number, groups = 1): Ref {
  const g = groups > 1 ? { groups } : {};
  if (stride === 1) return s.add(id, 'Conv2D', { filters, kernelSize: 3, padding: 'same', useBias: false, ...g }, [x]);
  const p = s.add(`${id}_pad`, 'ZeroPadding2D', { padding: 1 }, [x]);
  return s.add(id, 'Conv2D', { filters, kernelSize: 3, strides: stride, padding: 'valid', useBias: false, ...g }, [p]);
}

/** Projection shortcut: 1×1 conv at the block's stride (no bias) + BN. */
function projection(s: Scope, x: Ref, filters: number, stride: number): Ref {
  const c = s.add('downsample_conv', 'Conv2D', { filters, kernelSize: 1, strides: stride, padding: 'valid', useBias: false }, [x]);
  return s.add('downsample_bn', 'BatchNormalization', BN, [c]);
}

/** Basic block: 3×3 (stride s) – BN – ReLU – 3×3 – BN, plus the shortcut, then ReLU. */
export function basicBlock(planes: number, stride: number, project: boolean) {
  return (s: Scope, x: Ref): Ref => {
    let y = conv3x3(s, 'conv1', x, planes, stride);
    y = s.add('bn1', 'BatchNormalization', BN, [y]);
    y = relu(s, 'relu1', y);
    y = conv3x3(s, 'conv2', y, planes, 1);
    y = s.add('bn2', 'BatchNormalization', BN, [y]);
    const short = project ? projection(s, x, planes, stride) : x;
    const sum = s.add('add', 'Add', {}, [
      [y, 'in0'],
      [short, 'in1'],
    ]);
    return relu(s, 'relu2', sum);
  };
}

/**
 * Bottleneck (v1.5): 1×1 – BN – ReLU – 3×3 (stride s) – BN – ReLU – 1×1 (4×) – BN, + shortcut, ReLU.
 * ResNeXt: the inner width is planes · widthPerGroup / 64 · groups and the 3×3 is grouped.
 */
export function bottleneck(planes: number, stride: number, project: boolean, groups = 1, widthPerGroup = 64) {
  const width = Math.floor((planes * widthPerGroup) / 64) * groups;
  return (s: Scope, x: Ref): Ref => {
    let y = s.add('conv1', 'Conv2D', { filters: width, kernelSize: 1, useBias: false }, [x]);
    y = s.add('bn1', 'BatchNormalization', BN, [y]);
    y = relu(s, 'relu1', y);
    y = conv3x3(s, 'conv2', y, width, stride, groups);
    y = s.add('bn2', 'BatchNormalization', BN, [y]);
    y = relu(s, 'relu2', y);
    y = s.add('conv3', 'Conv2D', { filters: planes * 4, kernelSize: 1, useBias: false }, [y]);
    y = s.add('bn3', 'BatchNormalization', BN, [y]);
    const short = project ? projection(s, x, planes * 4, stride) : x;
    const sum = s.add('add', 'Add', {}, [
      [y, 'in0'],
      [short, 'in1'],
    ]);
    return relu(s, 'relu3', sum);
  };
}

export interface ResNetConfig {
  input: number[];
  classes: number;
  block: 'basic' | 'bottleneck';
  /** Blocks per stage, e.g. ResNet-50: [3, 4, 6, 3]. */
  layers: number[];
  /** Planes per stage (torchvision: 64, 128, 256, 512). */
  widths: number[];
  /** ImageNet stem (7×7/2 conv + 3×3/2 max pool) or a small one (3×3/1 conv, no pool). */
  stem: 'imagenet' | 'small';
  /** ResNeXt: groups of the bottleneck 3×3 and channels per group at 64 planes (resnext50_32x4d: 32, 4). */
  groups?: number;
  widthPerGroup?: number;
}

export const RESNET_CFG: Record<'resnet18' | 'resnet34' | 'resnet50' | 'resnet101' | 'resnet152', { block: 'basic' | 'bottleneck'; layers: number[] }> = {
  resnet18: { block: 'basic', layers: [2, 2, 2, 2] },
  resnet34: { block: 'basic', layers: [3, 4, 6, 3] },
  resnet50: { block: 'bottleneck', layers: [3, 4, 6, 3] },
  resnet101: { block: 'bottleneck', layers: [3, 4, 23, 3] },
  resnet152: { block: 'bottleneck', layers: [3, 8, 36, 3] },
};

export function resnet(g: UnitHost, c: ResNetConfig): void {
  let x = g.add('input', 'Input', { shape: c.input }, []);
  const stemWidth = c.widths[0]!;
  if (c.stem === 'imagenet') {
    x = g.add('conv1_pad', 'ZeroPadding2D', { padding: 3 }, [x]);
    x = g.add('conv1', 'Conv2D', { filters: stemWidth, kernelSize: 7, strides: 2, padding: 'valid', useBias: false }, [x]);
  } else {
    x = g.add('conv1', 'Conv2D', { filters: stemWidth, kernelSize: 3, padding: 'same', useBias: false }, [x]);
  }
  x = g.add('bn1', 'BatchNormalization', BN, [x]);
  x = relu(g, 'relu', x);
  if (c.stem === 'imagenet') {
    x = g.add('maxpool_pad', 'ZeroPadding2D', { padding: 1 }, [x]);
    x = g.add('maxpool', 'MaxPooling2D', { poolSize: 3, strides: 2, padding: 'valid' }, [x]);
  }
  const expansion = c.block === 'basic' ? 1 : 4;
  let inplanes = stemWidth;
  c.layers.forEach((n, i) => {
    const planes = c.widths[i]!;
    for (let j = 0; j < n; j++) {
      const stride = j === 0 && i > 0 ? 2 : 1;
      const project = stride !== 1 || inplanes !== planes * expansion;
      const groups = c.groups ?? 1;
      const width = Math.floor((planes * (c.widthPerGroup ?? 64)) / 64) * groups;
      const kind = c.block === 'basic' ? 'BasicBlock' : groups > 1 ? `ResNeXtBottleneck_${groups}x${c.widthPerGroup}d` : 'Bottleneck';
      const name = `${kind}_${planes}${stride > 1 ? '_s2' : ''}${project ? '_proj' : ''}`;
      const inner = groups > 1 ? ` (3×3: ${width} in ${groups} groups)` : '';
      const label = `${c.block === 'basic' ? 'Basic block' : groups > 1 ? 'ResNeXt bottleneck' : 'Bottleneck'} ${planes}${expansion > 1 ? `→${planes * expansion}` : ''}${inner}${stride > 1 ? ', stride 2' : ''}${project ? ', projection shortcut' : ''}`;
      const body = c.block === 'basic' ? basicBlock(planes, stride, project) : bottleneck(planes, stride, project, groups, c.widthPerGroup);
      x = g.unit(`layer${i + 1}_${j}`, name, label, body, x);
      inplanes = planes * expansion;
    }
  });
  x = g.add('avgpool', 'GlobalAveragePooling2D', {}, [x]);
  g.add('fc', 'Dense', { units: c.classes, activation: 'softmax' }, [x]);
}

// ---------------------------------------------------------------------------------------------
// LeNet-5 (LeCun et al. 1998), on 28×28 MNIST
// ---------------------------------------------------------------------------------------------

export function lenet5(g: Scope): void {
  let x = g.add('input', 'Input', { shape: [28, 28, 1] }, []);
  // The paper's input is 32×32 (MNIST padded by 2): "same" on 28×28 gives the same 28×28 C1 map.
  x = g.add('c1', 'Conv2D', { filters: 6, kernelSize: 5, padding: 'same', activation: 'tanh' }, [x]);
  x = g.add('s2', 'AveragePooling2D', { poolSize: 2, strides: 2 }, [x]);
  x = g.add('c3', 'Conv2D', { filters: 16, kernelSize: 5, activation: 'tanh' }, [x]);
  x = g.add('s4', 'AveragePooling2D', { poolSize: 2, strides: 2 }, [x]);
  x = g.add('c5', 'Conv2D', { filters: 120, kernelSize: 5, activation: 'tanh' }, [x]);
  x = g.add('flatten', 'Flatten', {}, [x]);
  x = g.add('f6', 'Dense', { units: 84, activation: 'tanh' }, [x]);
  g.add('output', 'Dense', { units: 10, activation: 'softmax' }, [x]);
}
