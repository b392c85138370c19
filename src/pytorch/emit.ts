// Helpers for the blocks' toPytorch methods (the PyTorch twin of src/onnx/ops.ts): Python
// literals, weight lookup and torch layouts, activations by name. The Python classes and
// functions the emitted lines call come from the base prelude (prelude.ts) and the block's own
// snippets (BlockSpec.pytorchPrelude), which generate.ts assembles per model.
import type { BlockWeight, PytorchEmitArgs, PytorchEmitted, TorchTensor } from '../core/spec';
import { permuteData } from './weights';

export class PytorchExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PytorchExportError';
  }
}

/** A Python literal for a param value. */
export const py = (v: unknown): string => {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'float("nan")' : v > 0 ? 'float("inf")' : 'float("-inf")';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(py).join(', ')}]`;
  throw new Error(`cannot write ${JSON.stringify(v)} as Python`);
};

/** The block's weight named `suffix` ("kernel" matches "c1/kernel"); a clear error when missing. */
export function pick(ws: BlockWeight[], suffix: string, nodeId: string): BlockWeight {
  const w = ws.find((x) => x.name === suffix || x.name.endsWith(`/${suffix}`));
  if (!w) throw new PytorchExportError(`node "${nodeId}": no weight named "${suffix}" among ${ws.map((x) => x.name).join(', ') || 'none'}`);
  return w;
}
export const asIs = (w: BlockWeight): TorchTensor => ({ shape: w.shape.slice(), data: w.data });
export const perm = (w: BlockWeight, order: number[]): TorchTensor => permuteData(w.data, w.shape, order);

/** A negative axis counted from the end, as a non-negative one. */
export function axisOf(a: number, rank: number): number {
  return a < 0 ? rank + a : a;
}

/** `activation(x)` as the prelude's ACTIVATIONS computes it (tfjs definitions). */
export function act(name: string, x: string): string {
  if (name === 'linear') return x;
  if (name === 'softmax') return `F.softmax(${x}, dim=-1)`;
  return `ACTIVATIONS[${py(name)}](${x})`;
}

/** A block that is one stateless expression of its first input: `out = f(x)`. */
export function assign(a: PytorchEmitArgs<unknown>, rhs: string): PytorchEmitted {
  return { lines: [`${a.outputs[0]} = ${rhs}`] };
}

/** A block that is one member module applied to its first input: `out = self.<name>(x)`. */
export function callMember(a: PytorchEmitArgs<unknown>, member: string, weights?: Record<string, TorchTensor>): PytorchEmitted {
  return { member, weights, lines: [`${a.outputs[0]} = self.${a.self}(${a.inputs[0]})`] };
}

/**
 * The attention blocks' forward line: self-attention can feed one tensor to query and value (the
 * key defaults to the value); the scores go to the second output when it is used.
 */
export function attentionCall(a: PytorchEmitArgs<unknown>, member: string, weights: Record<string, TorchTensor>): PytorchEmitted {
  const args = a.inputs.filter((s): s is string => s !== undefined).join(', ');
  return { member, weights, lines: [`${a.outputs[0]}, ${a.outputs[1] ?? '_'} = self.${a.self}(${args})`] };
}

/** A normalization's gamma/beta as torch's weight/bias (each only when the block learns it). */
export function affine(a: PytorchEmitArgs<{ scale: boolean; center: boolean }>): Record<string, TorchTensor> {
  const w: Record<string, TorchTensor> = {};
  if (a.params.scale) w.weight = asIs(pick(a.weights, 'gamma', a.nodeId));
  if (a.params.center) w.bias = asIs(pick(a.weights, 'beta', a.nodeId));
  return w;
}
