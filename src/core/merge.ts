// The element-wise merge blocks (Add, Subtract, Multiply, Average, Maximum) differ only in the
// tfjs layer and the ONNX op, so one factory builds their specs.
import type * as tfjs from '@tensorflow/tfjs';
import { BlockError, type BlockSpec, type Dim, type Shape } from './spec';
import { fmtShape } from './shapes';

/**
 * tfjs' computeElementwiseOpOutputShape: equal dims, or 1 broadcasts, or unknown stays unknown.
 * So [N,1,1,C] × [N,H,W,C] (squeeze-and-excitation) gives [N,H,W,C].
 */
export function broadcastShapes(shapes: Shape[], what: string): Shape {
  const rank = Math.max(...shapes.map((s) => s.length));
  if (shapes.some((s) => s.length !== rank))
    throw new BlockError(`${what} needs inputs of the same rank, got ${shapes.map(fmtShape).join(' and ')} — Reshape the smaller one, e.g. [C] → [1, 1, C] to scale an image's channels`);
  const out: Dim[] = [null];
  for (let i = 1; i < rank; i++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const e = s[i]!;
      // As tfjs: an unknown dim makes the output unknown; 1 broadcasts; others must agree.
      if (d === null || e === null) d = null;
      else if (d === 1) d = e;
      else if (e !== 1 && e !== d)
        throw new BlockError(
          `${what} needs inputs of the same shape, got ${shapes.map(fmtShape).join(' and ')} (axis ${i}: ${d} vs ${e}; each axis must be equal on every input or 1, which broadcasts, as [N,1,1,C] with [N,H,W,C]) — make the branches agree, e.g. a 1×1 Conv2D or Dense on the shortcut`,
        );
    }
    out.push(d);
  }
  return out;
}

export interface MergeOptions {
  type: string;
  label: string;
  docs: string;
  layer: (tf: typeof tfjs, name: string) => tfjs.layers.Layer;
  /** Binary ONNX ops (Add, Sub, Mul) are chained; variadic ones (Mean, Max) take all inputs. */
  onnxOp: 'Add' | 'Sub' | 'Mul' | 'Mean' | 'Max';
  /** The PyTorch expression of the input variables. */
  torch: (xs: string[]) => string;
  /** Subtract takes exactly two inputs. */
  exactly?: number;
}

export function mergeBlock(o: MergeOptions): BlockSpec<Record<string, never>> {
  const min = o.exactly ?? 2;
  return {
    type: o.type,
    category: 'merge',
    label: o.label,
    docs: o.docs,
    params: {},
    inputs: () => ({ variadic: true, prefix: 'in', min }),
    outputs: () => ['out'],
    inferShape(inputs) {
      if (inputs.length < min || inputs.some((s) => !s))
        throw new BlockError(`${o.type} needs ${o.exactly ? 'exactly' : 'at least'} ${min} inputs on in0, in1…, got ${inputs.filter(Boolean).length}`, { port: `in${inputs.findIndex((s) => !s) === -1 ? inputs.length : inputs.findIndex((s) => !s)}` });
      if (o.exactly && inputs.length > o.exactly) throw new BlockError(`${o.type} takes exactly ${o.exactly} inputs, got ${inputs.length}`, { port: `in${o.exactly}` });
      return [broadcastShapes(inputs as Shape[], o.type)];
    },
    paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
    macs: () => 0,
    toTfjs: (xs, _p, ctx) => {
      // tfjs 4.22 frees a tensor too early in predict() when one layer gets it on two inputs
      // and it also feeds another layer (Add(x, x)); give each repeat its own identity copy.
      const seen = new Set<tfjs.SymbolicTensor>();
      const operands = (xs as tfjs.SymbolicTensor[]).map((x, i) => {
        if (!seen.has(x)) {
          seen.add(x);
          return x;
        }
        return ctx.register(ctx.tf.layers.activation({ activation: 'linear', name: `${ctx.name}_copy${i}` })).apply(x) as tfjs.SymbolicTensor;
      });
      return [ctx.register(o.layer(ctx.tf, ctx.name)).apply(operands) as tfjs.SymbolicTensor];
    },
    toOnnx(ctx, { inputs }) {
      const xs = inputs as string[];
      if (o.onnxOp === 'Mean' || o.onnxOp === 'Max') return ctx.node(o.onnxOp, xs);
      let acc = xs[0]!;
      for (const x of xs.slice(1)) acc = ctx.node(o.onnxOp, [acc, x])[0]!;
      return [acc];
    },
    toPytorch: (a) => ({ lines: [`${a.outputs[0]} = ${o.torch(a.inputs as string[])}`] }),
    fixtures: [
      { params: {}, inputs: [[null, 8, 8, 4], [null, 8, 8, 4]] },
      { params: {}, inputs: [[null, 6], [null, 6]] },
      // Broadcasting: a per-channel [N,1,1,C] gate or bias against [N,H,W,C], in either order.
      { params: {}, inputs: [[null, 1, 1, 4], [null, 5, 6, 4]], note: 'broadcast' },
      { params: {}, inputs: [[null, 3, 2, 5], [null, 1, 1, 5]], note: 'broadcast' },
      { params: {}, inputs: [[null, 7, 1], [null, 7, 3]], note: 'broadcast' },
      ...(o.exactly ? [] : [{ params: {}, inputs: [[null, 5, 3], [null, 5, 3], [null, 5, 3]] as Shape[] }]),
    ],
  };
}
