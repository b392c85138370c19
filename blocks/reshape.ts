import { BlockError, defineBlock, type Dim, type Shape } from '../src/core/spec';
import { fmtShape, prodKnown } from '../src/core/shapes';
import { assign } from '../src/pytorch/emit';

/**
 * The target shape (without batch) with a -1 resolved when the input's size is known; a -1 stays
 * unknown (null) when the input has unknown dims. Throws naming both element counts on a mismatch.
 */
function resolveTarget(x: Shape, target: (number | null)[]): Dim[] {
  const n = prodKnown(x.slice(1));
  const known = target.filter((d): d is number => d !== null && d !== -1).reduce((a, b) => a * b, 1);
  const free = target.indexOf(-1);
  const shown = `[${target.join(', ')}]`;
  if (n === null) return target.map((d) => (d === -1 ? null : d));
  if (free < 0) {
    if (known !== n)
      throw new BlockError(
        `cannot reshape ${fmtShape(x)} (${n} elements per example) into targetShape ${shown} (${known} elements): the counts must be equal — e.g. [${n}] or one -1 to infer a dimension`,
        { param: 'targetShape' },
      );
    return target.slice();
  }
  if (n % known !== 0)
    throw new BlockError(
      `cannot reshape ${fmtShape(x)} (${n} elements per example) into targetShape ${shown}: the known dimensions hold ${known} elements, which does not divide ${n} — make ${n} a multiple of ${known}`,
      { param: 'targetShape' },
    );
  return target.map((d) => (d === -1 ? n / known : d));
}

export default defineBlock({
  type: 'Reshape',
  category: 'reshape',
  label: 'Reshape',
  docs:
    'Rearranges each example into a new shape with the same number of elements, e.g. [784] → [28, 28, 1]; the batch is kept. One entry may be -1 to infer it from the others. Elements keep their row-major order: to reorder axes use Permute instead.',
  params: {
    targetShape: { kind: 'intList', default: [-1], allowMinusOne: true, minLength: 1, doc: 'Shape of one example after the reshape, without the batch; one entry may be -1.', key: true },
  },
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  inferShape([x], p) {
    if (!x) throw new BlockError('input "in" is not connected: connect a tensor to it', { port: 'in' });
    return [[null, ...resolveTarget(x, p.targetShape)]];
  },
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  macs: () => 0,
  toTfjs([x], p, ctx) {
    // With a known input size the -1 is resolved here: tfjs' symbolic shape would leave it null
    // (its computeOutputShape sees the unknown batch and gives up), which would block e.g. a Dense
    // after Reshape([-1]). Resolving gives the same tensor and a fully known shape.
    const target = resolveTarget(x!.shape, p.targetShape).map((d) => d ?? -1);
    return [ctx.register(ctx.tf.layers.reshape({ targetShape: target, name: ctx.name })).apply(x!) as never];
  },
  toOnnx(ctx, { inputs, outputShapes }) {
    // 0 copies the batch from the input; an unresolved dim (variable-size input) is -1.
    const dims = [0, ...outputShapes[0]!.slice(1).map((d) => d ?? -1)];
    return ctx.node('Reshape', [inputs[0]!, ctx.constInt64('shape', dims)]);
  },
  toPytorch: (a) => assign(a, `${a.inputs[0]}.reshape(${a.inputs[0]}.shape[0], ${a.outputShapes[0]!.slice(1).map((d) => d ?? -1).join(', ')})`),
  fixtures: [
    { params: { targetShape: [28, 28, 1] }, inputs: [[null, 784]] },
    { params: {}, inputs: [[null, 4, 5, 3]], note: 'flatten with -1' },
    { params: { targetShape: [-1, 6] }, inputs: [[null, 4, 3, 2]] },
    { params: { targetShape: [2, -1, 3] }, inputs: [[null, 12, 3]] },
    { params: { targetShape: [5, 1] }, inputs: [[null, 5]] },
    { params: { targetShape: [-1, 4] }, inputs: [[null, null, 4]], note: 'variable length' },
  ],
});
