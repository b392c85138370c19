import { defineBlock, type TorchTensor, type PytorchSnippet } from '../src/core/spec';
import { ACTIVATIONS, deconvLength, lastDim, prod, requirePositive, requireRank } from '../src/core/shapes';
import { grid } from '../src/core/fixtures';
import { emitActivation, findWeight, floatInit, kernelToOnnx, toChannelsFirst, toChannelsLast, weightInit } from '../src/onnx/ops';
import { asIs, callMember, perm, pick, py } from '../src/pytorch/emit';
import '../src/core/layers/activations'; // registers hardSwish, hardSigmoidTorch, geluTanh with tfjs

/** model.py's ConvTranspose2d: Keras' output sizes and "same" crop. */
const CONV_TRANSPOSE_PY: PytorchSnippet = {
  name: 'ConvTranspose2d',
  source: String.raw`class ConvTranspose2d(nn.Module):
    """Keras Conv2DTranspose: output size in·stride ('same') or in·stride + max(k − stride, 0) ('valid');
    'same' crops the full transposed conv like TF (the smaller half at the start)."""

    def __init__(self, cin, cout, kernel, strides, padding, bias=True, activation="linear"):
        super().__init__()
        self.kernel, self.strides, self.padding, self.activation = list(kernel), list(strides), padding, activation
        self.weight = nn.Parameter(torch.zeros(cin, cout, *kernel))
        self.bias = nn.Parameter(torch.zeros(cout)) if bias else None

    def forward(self, x):
        x = to_cf(x)
        crops, extra = [], []
        for i in range(2):
            n, k, s = x.shape[2 + i], self.kernel[i], self.strides[i]
            full = (n - 1) * s + k
            out = n * s if self.padding == "same" else n * s + max(k - s, 0)
            total = max(k - s, 0) if self.padding == "same" else 0
            crops.append((total // 2, out))
            extra.append(max(out + total // 2 - full, 0))
        y = F.conv_transpose2d(x, self.weight, self.bias, self.strides, 0, extra)
        y = y[:, :, crops[0][0]:crops[0][0] + crops[0][1], crops[1][0]:crops[1][0] + crops[1][1]]
        return ACTIVATIONS[self.activation](to_cl(y))
`,
};

export default defineBlock({
  type: 'Conv2DTranspose',
  category: 'conv',
  label: 'Conv 2D Transpose',
  docs:
    'A learned upsampling: each input pixel spreads a filter-weighted patch into a larger output, the transpose of a strided Conv2D. Use it in decoders, autoencoders, GAN generators and segmentation heads to grow feature maps back to image size. With padding "same" the output is input × stride; with "valid" it is input × stride + max(kernel − stride, 0).',
  params: {
    filters: { kind: 'int', default: 32, min: 1, doc: 'Number of output channels (filters).', key: true },
    kernelSize: { kind: 'ints', length: 2, default: [3, 3], doc: 'Height and width of the filter window.', key: true },
    strides: { kind: 'ints', length: 2, default: [1, 1], doc: 'Upsampling factor along height and width.' },
    padding: { kind: 'enum', options: ['valid', 'same'], default: 'valid', doc: '"same": output is input × stride; "valid": output is input × stride + max(kernel − stride, 0).' },
    activation: { kind: 'enum', options: ACTIVATIONS, default: 'linear', doc: 'Activation applied to the output.', key: true },
    useBias: { kind: 'bool', default: true, doc: 'Add a learned bias per filter. Turn off before BatchNormalization.' },
  },
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  inferShape([x], p) {
    const s = requireRank(x, 4, 'Conv2DTranspose');
    lastDim(s, 'Conv2DTranspose');
    const h = deconvLength(s[1]!, p.strides[0]!, p.kernelSize[0]!, p.padding);
    const w = deconvLength(s[2]!, p.strides[1]!, p.kernelSize[1]!, p.padding);
    return [requirePositive([null, h, w, p.filters], 'Conv2DTranspose', 'kernelSize')];
  },
  paramCount([x], p) {
    const cin = lastDim(x!, 'Conv2DTranspose');
    return { trainable: prod(p.kernelSize) * cin * p.filters + (p.useBias ? p.filters : 0), nonTrainable: 0 };
  },
  // A transposed convolution multiplies every *input* position by the whole kernel (it scatters
  // kh·kw·filters products per input channel), so input positions stand where conv uses outputs.
  macs: ([x], p) => prod(x!.slice(1, 3)) * prod(p.kernelSize) * lastDim(x!, 'Conv2DTranspose') * p.filters,
  toTfjs: ([x], p, ctx) => [
    ctx.register(
      ctx.tf.layers.conv2dTranspose({
        filters: p.filters,
        kernelSize: p.kernelSize,
        strides: p.strides,
        padding: p.padding as 'valid' | 'same',
        activation: p.activation as never,
        useBias: p.useBias,
        kernelInitializer: ctx.kernelInitializer as never,
        name: ctx.name,
      }),
    ).apply(x!) as never,
  ],
  toOnnx(ctx, { params: p, nodeId, inputs: [x], weights }) {
    // tfjs computes the gradient of a forward conv whose input is the output size: output[i·s +
    // k − padBegin] += x[i]·w[k], with TF's "same" split of max(kernel − stride, 0) (smaller half
    // first). When kernel < stride the last stride − kernel rows get no contribution; ONNX
    // output_padding appends exactly those, so sizes equal deconvLength on every axis.
    const kernel = findWeight(weights, 'kernel', nodeId);
    const bias = weights.find((w) => w.name === 'bias' || w.name.endsWith('/bias'));
    const begins: number[] = [];
    const ends: number[] = [];
    const outPad: number[] = [];
    for (let i = 0; i < 2; i++) {
      const k = p.kernelSize[i]!;
      const s = p.strides[i]!;
      const total = p.padding === 'same' ? Math.max(k - s, 0) : 0;
      begins.push(Math.floor(total / 2));
      ends.push(total - Math.floor(total / 2));
      outPad.push(Math.max(s - k, 0));
    }
    // tfjs [kh, kw, out, in] → ONNX ConvTranspose [in, out, kh, kw].
    const ins = [toChannelsFirst(ctx, x!, 4), floatInit(ctx, 'kernel', kernelToOnnx(kernel))];
    if (bias) ins.push(weightInit(ctx, 'bias', bias));
    const y = ctx.node('ConvTranspose', ins, {
      kernel_shape: { ints: p.kernelSize },
      strides: { ints: p.strides },
      pads: { ints: [...begins, ...ends] },
      output_padding: { ints: outPad },
    })[0]!;
    return [emitActivation(ctx, p.activation, toChannelsLast(ctx, y, 4))];
  },
  outputActivation: (p) => p.activation,
  pytorchPrelude: [CONV_TRANSPOSE_PY],
  toPytorch(a) {
    const p = a.params;
    const k = pick(a.weights, 'kernel', a.nodeId); // [kh, kw, cout, cin]
    const w: Record<string, TorchTensor> = { weight: perm(k, [3, 2, 0, 1]) };
    if (p.useBias) w.bias = asIs(pick(a.weights, 'bias', a.nodeId));
    return callMember(a, `ConvTranspose2d(${k.shape[3]}, ${k.shape[2]}, kernel=${py(p.kernelSize)}, strides=${py(p.strides)}, padding=${py(p.padding)}, bias=${py(p.useBias)}, activation=${py(p.activation)})`, w);
  },
  fixtures: [
    ...grid(
      { kernelSize: [1, 3, [2, 5]], strides: [1, 2, [3, 2]], padding: ['valid', 'same'] },
      (params) => ({ params: { filters: 3, ...params }, inputs: [[null, 5, 7, 2]] }),
    ),
    { params: { filters: 2, kernelSize: [4, 4], strides: 2, padding: 'same', activation: 'relu' }, inputs: [[null, 4, 3, 3]] },
    { params: { filters: 1, kernelSize: [2, 3], strides: [4, 5], padding: 'valid', useBias: false, activation: 'sigmoid' }, inputs: [[null, 3, 2, 2]] },
  ],
});
