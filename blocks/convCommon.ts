// Shared by the convolution blocks: tfjs' constraints and one ONNX emitter for Conv (1-D, 2-D,
// depthwise). Layout helpers, "same" pads and kernel permutations live in src/onnx/ops.ts.
import { BlockError, type BlockWeight, type OnnxContext, type PytorchEmitArgs, type PytorchEmitted, type Shape, type SymbolicTensor, type TfjsBuildContext, type TorchTensor, type PytorchSnippet } from '../src/core/spec';
import { GroupedConv } from '../src/core/layers/groupedConv';
import { asIs, callMember, perm, pick, py } from '../src/pytorch/emit';
import { convPadAttrs, depthwiseKernelToOnnx, emitActivation, emitRuntimeSamePad, needsRuntimePads, findWeight, floatInit, kernelToOnnx, toChannelsFirst, toChannelsLast, weightInit } from '../src/onnx/ops';

/** tfjs' conv and pool kernels reject strides > 1 together with dilation > 1 on any axis. */
export function checkStridesDilation(strides: number[], dilationRate: number[]): void {
  if (strides.some((s) => s > 1) && dilationRate.some((d) => d > 1))
    throw new BlockError(
      `strides ${JSON.stringify(strides)} and dilationRate ${JSON.stringify(dilationRate)} cannot both be > 1 (tfjs' convolution kernels do not support it): set one of them to 1`,
      { param: 'dilationRate' },
    );
}

/** Pad attributes for a window op; "causal" (1-D) puts (kernel − 1)·dilation on the left only. */
export function windowPads(spatialIn: (number | null)[], kernel: number[], strides: number[], dilations: number[], padding: string) {
  if (padding === 'causal') return { pads: { ints: [(kernel[0]! - 1) * dilations[0]!, 0] } };
  return convPadAttrs(spatialIn, kernel, strides, dilations, padding);
}

/**
 * The channels-first input of a convolution and its pad attributes: the input as it is with
 * windowPads, or zero-padded at run time where "same" pads depend on an unknown size in a way
 * onnxruntime's SAME_UPPER cannot do (see needsRuntimePads in src/onnx/ops.ts).
 */
export function convWindow(ctx: OnnxContext, xcf: string, spatialIn: (number | null)[], kernel: number[], strides: number[], dilations: number[], padding: string) {
  if (!needsRuntimePads(spatialIn, kernel, strides, dilations, padding)) return { x: xcf, attrs: windowPads(spatialIn, kernel, strides, dilations, padding) };
  const x = emitRuntimeSamePad(ctx, xcf, spatialIn.length + 2, kernel, strides, dilations, 0);
  return { x, attrs: { pads: { ints: new Array<number>(2 * kernel.length).fill(0) } } };
}

export interface ConvEmit {
  nodeId: string;
  x: string;
  xShape: Shape;
  weights: BlockWeight[];
  kernelSize: number[];
  strides: number[];
  dilationRate: number[];
  padding: string;
  activation: string;
  /** Depthwise (group = channels): the kernel is [k…, in, multiplier]. */
  depthwise?: boolean;
  /** Grouped convolution: the kernel is [k…, in/groups, filters]. */
  groups?: number;
}

/**
 * Channels-last in and out: Transpose → Conv (bias fused) → Transpose → activation. The
 * activation comes after the transpose back, so softmax normalises over channels as in tfjs.
 */
export function emitConv(ctx: OnnxContext, o: ConvEmit): string {
  const rank = o.xShape.length;
  const kernel = findWeight(o.weights, o.depthwise ? 'depthwise_kernel' : 'kernel', o.nodeId);
  const bias = o.weights.find((w) => w.name === 'bias' || w.name.endsWith('/bias'));
  const w = floatInit(ctx, 'kernel', o.depthwise ? depthwiseKernelToOnnx(kernel) : kernelToOnnx(kernel));
  const win = convWindow(ctx, toChannelsFirst(ctx, o.x, rank), o.xShape.slice(1, -1), o.kernelSize, o.strides, o.dilationRate, o.padding);
  const ins = [win.x, w];
  if (bias) ins.push(weightInit(ctx, 'bias', bias));
  const y = ctx.node('Conv', ins, {
    kernel_shape: { ints: o.kernelSize },
    strides: { ints: o.strides },
    dilations: { ints: o.dilationRate },
    group: { i: o.depthwise ? kernel.shape[rank - 2]! : (o.groups ?? 1) },
    ...win.attrs,
  })[0]!;
  return emitActivation(ctx, o.activation, toChannelsLast(ctx, y, rank));
}

/** model.py's ConvNd (Conv1D, Conv2D and DepthwiseConv2D): channels-last in and out, TF "same" or "causal" pads. */
export const CONV_ND_PY: PytorchSnippet = {
  name: 'ConvNd',
  source: String.raw`class ConvNd(nn.Module):
    """Keras Conv1D/Conv2D/DepthwiseConv2D on channels-last input: weight in torch's
    [out, in / groups, *kernel] layout, TF 'same' (asymmetric) or 'causal' padding."""

    def __init__(self, rank, cin, cout, kernel, strides, dilation, padding, groups=1, bias=True, activation="linear"):
        super().__init__()
        self.rank, self.kernel, self.strides, self.dilation = rank, list(kernel), list(strides), list(dilation)
        self.padding, self.groups, self.activation = padding, groups, activation
        self.weight = nn.Parameter(torch.zeros(cout, cin // groups, *kernel))
        self.bias = nn.Parameter(torch.zeros(cout)) if bias else None

    def forward(self, x):
        x = to_cf(x)
        if self.padding == "same":
            x = pad_same_nchw(x, self.kernel, self.strides, self.dilation)
        elif self.padding == "causal":
            x = F.pad(x, [(self.kernel[0] - 1) * self.dilation[0], 0])
        conv = F.conv1d if self.rank == 1 else F.conv2d
        y = conv(x, self.weight, self.bias, self.strides, 0, self.dilation, self.groups)
        return ACTIVATIONS[self.activation](to_cl(y))
`,
};

/** Conv1D/Conv2D as the prelude's ConvNd (channels-last in and out, TF "same" pads, fused activation). */
export function convToPytorch(
  a: PytorchEmitArgs<{ kernelSize: number[]; strides: number[]; dilationRate: number[]; padding: string; activation: string; useBias: boolean; groups?: number }>,
  rank: 1 | 2,
): PytorchEmitted {
  const p = a.params;
  const k = pick(a.weights, 'kernel', a.nodeId);
  const w: Record<string, TorchTensor> = { weight: perm(k, rank === 2 ? [3, 2, 0, 1] : [2, 1, 0]) };
  if (p.useBias) w.bias = asIs(pick(a.weights, 'bias', a.nodeId));
  const groups = p.groups ?? 1;
  const cin = k.shape[rank]! * groups;
  const cout = k.shape[rank + 1]!;
  const g = groups > 1 ? `, groups=${groups}` : '';
  return callMember(
    a,
    `ConvNd(${rank}, ${cin}, ${cout}, kernel=${py(p.kernelSize)}, strides=${py(p.strides)}, dilation=${py(p.dilationRate)}, padding=${py(p.padding)}${g}, bias=${py(p.useBias)}, activation=${py(p.activation)})`,
    w,
  );
}

/** The `groups` param of Conv1D/Conv2D. */
export const GROUPS_PARAM = {
  kind: 'int',
  default: 1,
  min: 1,
  doc: 'Split the input channels into this many groups, each convolved with its own filters/groups filters (ResNeXt, ShuffleNet); groups = input channels is a depthwise convolution. Must divide both the input channels and filters.',
} as const;

/** Input channels per group; throws a BlockError on the groups param when the split is uneven. */
export function channelsPerGroup(cin: number, filters: number, groups: number, what: string): number {
  if (cin % groups !== 0 || filters % groups !== 0)
    throw new BlockError(
      `${what} groups ${groups} must divide both the input channels (${cin}) and filters (${filters}): pick a common divisor, e.g. ${gcd(cin, filters)}`,
      { param: 'groups' },
    );
  return cin / groups;
}
const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);

/**
 * A grouped Conv1D/Conv2D (groups > 1) as the custom GroupedConv layer, then the activation as its
 * own layer (tfjs' conv layers have no `groups`).
 */
export function groupedConvTfjs(
  x: SymbolicTensor,
  p: { filters: number; kernelSize: number[]; strides: number[]; dilationRate: number[]; padding: string; groups: number; useBias: boolean; activation: string },
  rank: 1 | 2,
  ctx: TfjsBuildContext,
): SymbolicTensor {
  const conv = ctx.register(
    new GroupedConv({
      rank,
      filters: p.filters,
      kernelSize: p.kernelSize,
      strides: p.strides,
      dilationRate: p.dilationRate,
      padding: p.padding === 'same' ? 'same' : 'valid',
      groups: p.groups,
      useBias: p.useBias,
      kernelInitializer: ctx.kernelInitializer,
      name: ctx.name,
    }),
  );
  const y = conv.apply(x) as SymbolicTensor;
  if (p.activation === 'linear') return y;
  return ctx.register(ctx.tf.layers.activation({ activation: p.activation as never, name: `${ctx.name}_act` })).apply(y) as SymbolicTensor;
}
