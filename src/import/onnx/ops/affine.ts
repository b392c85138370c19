// A per-channel affine map of an image, x · s_c + b_c, that patterns.ts found written channel by
// channel (torchvision's Inception v3 / GoogLeNet transform_input) → a 1×1 DepthwiseConv2D whose
// kernel holds the scales and bias the offsets. They are constants in the file, not parameters,
// so the block is frozen (trainable false): the trainable parameter count stays torch's.
import type { Converter, OpTable } from '../converter';
import { image } from '../layout';
import { SYNTHETIC } from '../patterns';
import { Unsupported, type Attrs, type PNode } from '../proto';
import type { TensorVal } from '../values';

function convertChannelAffine(cv: Converter, n: PNode, a: Attrs): TensorVal {
  if (!SYNTHETIC.has(n)) throw new Unsupported('no block for ONNX op ChannelAffine');
  const x0 = cv.tensor(n.input![0]!);
  const scale = Float32Array.from(a.get('scale')?.floats ?? []);
  const offset = Float32Array.from(a.get('offset')?.floats ?? []);
  const C = x0.shape[1];
  if (x0.shape.length !== 4 || C !== scale.length)
    throw new Unsupported(`a per-channel x·s + b over ${scale.length} channels of ${x0.shape.length === 4 ? `${C ?? 'an unknown number of'} channels` : `a rank-${x0.shape.length} tensor`}: only every channel of an image is mapped`);
  const x = image(cv, n.input![0]!, x0);
  const id = cv.add('DepthwiseConv2D', { kernelSize: [1, 1], strides: [1, 1], padding: 'valid', depthMultiplier: 1, useBias: true }, [x.ref]);
  cv.node(id).trainable = false;
  cv.weight(id, 'depthwise_kernel', [1, 1, C, 1], scale);
  cv.weight(id, 'bias', [C], offset);
  return { ...x, ref: { node: id, port: 'out' }, nonNeg: false };
}

export const AFFINE_OPS: OpTable = { ChannelAffine: convertChannelAffine };
