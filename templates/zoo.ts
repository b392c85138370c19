// The templates that reproduce a torchvision model: template name → torchvision builder name and
// its trainable parameter count as torchvision's documentation states it. zoo.test.ts checks each
// against torchvision itself (torchvision_ref.py): trainable parameters exactly, parameter shapes
// layer by layer, conv + linear MACs within 2%. templateSuite.ts treats them as ImageNet-size.
export interface ZooEntry {
  /** torchvision.models builder name. */
  tv: string;
  /** Trainable parameters (torchvision's documented count). */
  params: number;
  /** Full-size ONNX/PyTorch parity runs in CI for this one (the rest: the full-run script). */
  ciParity?: boolean;
}

/** Already built by the AlexNet/VGG/ResNet templates (counted there by torchReference.ts too). */
export const ZOO_CLASSIC: Record<string, string> = {
  alexnet: 'alexnet',
  resnet18: 'resnet18',
  resnet50: 'resnet50',
};

/** The modern torchvision models, each a template whose counts come from here. */
export const ZOO: Record<string, ZooEntry> = {
  // Modern CNNs (lib/zooCnn.ts). ciParity where tfjs' WASM forward at 224×224 takes seconds
  // (SqueezeNet 3 s, ShuffleNetV2 10 s, RegNetY 11 s with the ONNX export; DenseNet-121 27 s and
  // ResNeXt-50 137 s are left to the full-run script).
  'squeezenet1-1': { tv: 'squeezenet1_1', params: 1_235_496, ciParity: true },
  'shufflenet-v2-x1-0': { tv: 'shufflenet_v2_x1_0', params: 2_278_604, ciParity: true },
  'resnext50-32x4d': { tv: 'resnext50_32x4d', params: 25_028_904 },
  'regnet-y-400mf': { tv: 'regnet_y_400mf', params: 4_344_144, ciParity: true },
  densenet121: { tv: 'densenet121', params: 7_978_856 },
  'mobilenet-v2': { tv: 'mobilenet_v2', params: 3_504_872 },
  'mobilenet-v3-small': { tv: 'mobilenet_v3_small', params: 2_542_856, ciParity: true },
  'mobilenet-v3-large': { tv: 'mobilenet_v3_large', params: 5_483_032 },
  'efficientnet-b0': { tv: 'efficientnet_b0', params: 5_288_548 },
  googlenet: { tv: 'googlenet', params: 6_624_904 },
  'convnext-tiny': { tv: 'convnext_tiny', params: 28_589_128 },
  'vit-b-16': { tv: 'vit_b_16', params: 86_567_656 },
};

/**
 * Blocks whose MACs are the conv + linear multiply-accumulates torchvision's count holds (the
 * reference counts convolutions, Linear layers and attention's q/k/v/output projections).
 */
export const MAC_TYPES = new Set(['Conv1D', 'Conv2D', 'DepthwiseConv2D', 'Dense']);

/** What referenceMacs reads of an analysed (flat) node. */
export interface MacNode {
  type: string;
  macs?: number;
  params: Record<string, unknown>;
  inputShapes: ((number | null)[] | undefined)[];
}

/**
 * The multiply-accumulates of one node as torchvision's reference counts them: conv and linear in
 * full (MAC_TYPES); for MultiHeadAttention only its four projections, as torch_ref.py counts
 * nn.MultiheadAttention (the block's own MACs add the scores and the weighted sum); 0 otherwise.
 */
export function referenceMacs(n: MacNode): number {
  if (MAC_TYPES.has(n.type)) return n.macs ?? 0;
  if (n.type !== 'MultiHeadAttention') return 0;
  const [q, v, k] = n.inputShapes;
  const p = n.params as { numHeads: number; keyDim: number; valueDim?: number | null; outputShape?: number | null };
  const hk = p.numHeads * p.keyDim;
  const hv = p.numHeads * (p.valueDim ?? p.keyDim);
  const tq = q![1]!;
  const tv = v![1]!;
  const dq = q![2]!;
  return tq * dq * hk + tv * (k ?? v)![2]! * hk + tv * v![2]! * hv + tq * hv * (p.outputShape ?? dq);
}
