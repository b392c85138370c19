// Normalization: BatchNormalization (inference form) and LayerNormalization over the last axis,
// with their statistics and affine parameters as the blocks' weights.
import type { Converter, OpTable } from '../converter';
import { plain } from '../layout';
import { Unsupported, attrFloat, attrInt, type Attrs, type PNode } from '../proto';
import type { Val } from '../values';

function convertBatchNorm(cv: Converter, n: PNode, a: Attrs): Val {
  const inp = n.input ?? [];
  if (attrInt(a, 'training_mode', 0) !== 0) throw new Unsupported('BatchNormalization in training mode (training_mode 1) is not mapped; export the model in eval mode');
  if ((n.output ?? []).filter((x) => x).length > 1) throw new Unsupported('BatchNormalization with running-statistics outputs (training form) is not mapped; export in eval mode');
  const t0 = cv.tensor(inp[0]!);
  const t = t0.layout === 'plain' || t0.layout === 'nchw' || t0.layout === 'ncl' ? t0 : plain(cv, inp[0]!, t0);
  const scale = cv.floats(cv.constant(inp[1], 'scale'), 'scale');
  const bias = cv.floats(cv.constant(inp[2], 'B'), 'B');
  const mean = cv.floats(cv.constant(inp[3], 'mean'), 'mean');
  const variance = cv.floats(cv.constant(inp[4], 'var'), 'var');
  const C = scale.length;
  const id = cv.add('BatchNormalization', { axis: t.layout === 'nchw' || t.layout === 'ncl' ? -1 : 1, epsilon: attrFloat(a, 'epsilon', 1e-5), momentum: attrFloat(a, 'momentum', 0.9) }, [t.ref]);
  cv.weight(id, 'gamma', [C], scale);
  cv.weight(id, 'beta', [C], bias);
  cv.weight(id, 'moving_mean', [C], mean);
  cv.weight(id, 'moving_variance', [C], variance);
  return { ...t, ref: { node: id, port: 'out' }, nonNeg: false };
}

function convertLayerNorm(cv: Converter, n: PNode, a: Attrs): Val {
  const inp = n.input ?? [];
  const t0 = cv.tensor(inp[0]!);
  // The last axis is the same in our tensor and the ONNX value for plain and time-major layouts.
  const t = t0.layout === 'tmajor' ? t0 : plain(cv, inp[0]!, t0);
  const rank = t.shape.length;
  let axis = attrInt(a, 'axis', -1);
  if (axis < 0) axis += rank;
  if (axis !== rank - 1) throw new Unsupported(`LayerNormalization over axes ${axis}…${rank - 1}: only the last axis alone is mapped (LayerNormalization block)`);
  // Scale is required by the ONNX op; the LayerNorm pattern (patterns/layerNorm.ts) may have none.
  const gamma = inp[1] ? cv.floats(cv.constant(inp[1], 'Scale'), 'Scale') : undefined;
  const beta = inp[2] ? cv.floats(cv.constant(inp[2], 'B'), 'B') : undefined;
  const size = t.shape[rank - 1];
  for (const [what, w] of [['Scale', gamma], ['B', beta]] as const)
    if (w && w.length !== size) throw new Unsupported(`LayerNormalization ${what} has ${w.length} values for a last axis of ${size ?? 'unknown size'}`);
  const id = cv.add('LayerNormalization', { axis: -1, epsilon: attrFloat(a, 'epsilon', 1e-5), center: !!beta, scale: !!gamma }, [t.ref]);
  if (gamma) cv.weight(id, 'gamma', [gamma.length], gamma);
  if (beta) cv.weight(id, 'beta', [beta.length], beta);
  return { ...t, ref: { node: id, port: 'out' }, nonNeg: false, seqOf: undefined };
}

export const NORMALIZATION_OPS: OpTable = {
  BatchNormalization: convertBatchNorm,
  LayerNormalization: convertLayerNorm,
};
