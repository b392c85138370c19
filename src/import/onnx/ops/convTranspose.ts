// Transposed convolution: ConvTranspose (2-D, NCHW; PyTorch's ConvTranspose2d) → Conv2DTranspose.
// Both scatter x[i]·w[j] to output row i·s + j of a full output of (in − 1)·s + k rows (rows past
// it get only the bias). tfjs "valid" keeps in·s + max(k − s, 0) rows of that from row 0, "same"
// in·s rows from row ⌊max(k − s, 0)/2⌋; ONNX keeps `out` rows from row pads_begin, where
// out = (in − 1)·s + k + output_padding − pads_begin − pads_end. So the block is "same" where
// that matches, else "valid" with a Cropping2D of the rows ONNX drops. ONNX rows past tfjs'
// "valid" end (output_padding beyond the kernel's reach) hold only the bias: refused.
import { transposeData } from '../../../onnx/ops';
import type { Converter, OpTable } from '../converter';
import { image } from '../layout';
import { Unsupported, attrInt, attrInts, attrString, type Attrs, type PNode } from '../proto';
import { fmt, type TensorVal } from '../values';

function convertConvTranspose(cv: Converter, n: PNode, a: Attrs): TensorVal {
  const inp = n.input ?? [];
  const t0 = cv.tensor(inp[0]!);
  if (t0.shape.length !== 4) throw new Unsupported(`ConvTranspose on a rank-${t0.shape.length} input: only the 2-D transposed convolution ([N, C, H, W], ConvTranspose2d) is mapped`);
  const x = image(cv, inp[0]!, t0);
  const W = cv.constant(inp[1], 'weight W');
  const w = cv.floats(W, 'W');
  if (W.dims.length !== 4) throw new Unsupported(`ConvTranspose weight of dims ${fmt(W.dims)}: [in, out, kh, kw] is expected`);
  const [cin, cout, kh, kw] = W.dims as [number, number, number, number];
  const B = inp[2] ? cv.floats(cv.constant(inp[2], 'bias B'), 'B') : undefined;
  const group = attrInt(a, 'group', 1);
  if (group !== 1) throw new Unsupported(`grouped transposed convolution (groups ${group}) has no block: Conv2DTranspose has no groups`);
  const d = attrInts(a, 'dilations') ?? [1, 1];
  if (d.some((v) => v !== 1)) throw new Unsupported(`transposed convolution with dilation ${JSON.stringify(d)} has no block: Conv2DTranspose has no dilation`);
  if (a.has('output_shape')) throw new Unsupported('ConvTranspose with an output_shape attribute is not mapped (PyTorch writes pads and output_padding instead)');
  const auto = attrString(a, 'auto_pad') ?? 'NOTSET';
  if (auto !== 'NOTSET' && auto !== 'VALID') throw new Unsupported(`ConvTranspose auto_pad ${auto} is not mapped (explicit pads are)`);
  const k = attrInts(a, 'kernel_shape') ?? [kh, kw];
  const s = attrInts(a, 'strides') ?? [1, 1];
  const pads = auto === 'VALID' ? [0, 0, 0, 0] : (attrInts(a, 'pads') ?? [0, 0, 0, 0]);
  const op = attrInts(a, 'output_padding') ?? [0, 0];
  if (x.shape[1] != null && x.shape[1] !== cin) throw new Unsupported(`ConvTranspose weight for ${cin} input channels on an image of ${x.shape[1]}`);
  let same = true;
  const crop: [number, number][] = [];
  const out: number[] = [];
  for (let i = 0; i < 2; i++) {
    const len = x.shape[2 + i];
    if (len == null) throw new Unsupported(`ConvTranspose on an image of unknown ${i ? 'width' : 'height'}: export with a fixed input size`);
    const size = (len - 1) * s[i]! + k[i]! + op[i]! - pads[i]! - pads[i + 2]!;
    const valid = len * s[i]! + Math.max(k[i]! - s[i]!, 0);
    if (size < 1) throw new Unsupported(`ConvTranspose pads ${JSON.stringify(pads)} leave no output of ${len} ${i ? 'columns' : 'rows'}`);
    if (pads[i]! + size > valid)
      throw new Unsupported(
        `output_padding ${op[i]} with padding ${pads[i + 2]} at the ${i ? 'right' : 'bottom'} adds ${pads[i]! + size - valid} ${i ? 'column' : 'row'}(s) beyond the kernel's reach that hold only the bias, which Conv2DTranspose cannot make (use output_padding ≤ padding, or kernel ≥ stride + output_padding)`,
      );
    out.push(size);
    crop.push([pads[i]!, valid - pads[i]! - size]);
    if (!(size === len * s[i]! && pads[i] === Math.floor(Math.max(k[i]! - s[i]!, 0) / 2))) same = false;
  }
  const id = cv.add('Conv2DTranspose', { filters: cout, kernelSize: k, strides: s, padding: same ? 'same' : 'valid', useBias: !!B }, [x.ref]);
  // ONNX [in, out, kh, kw] → tfjs [kh, kw, out, in].
  const kt = transposeData(w, W.dims, [2, 3, 1, 0]);
  cv.weight(id, 'kernel', kt.dims, kt.data);
  if (B) cv.weight(id, 'bias', [cout], B);
  let ref = { node: id, port: 'out' };
  if (!same && crop.some(([p, q]) => p || q)) ref = { node: cv.add('Cropping2D', { cropping: crop }, [ref], `${cv.current}_crop`), port: 'out' };
  return { kind: 'tensor', ref, layout: 'nchw', shape: [x.shape[0]!, cout, out[0]!, out[1]!] };
}

export const CONV_TRANSPOSE_OPS: OpTable = { ConvTranspose: convertConvTranspose };
