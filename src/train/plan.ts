// The data plan: which dataset arrays feed which Input, which labels (or the input itself) train
// which output with which loss, checked against the compiled graph with a message naming the block
// to change; and a batch's tensors shaped for the model.
import * as tf from '@tensorflow/tfjs';
import type { CompiledModel } from '../core/compile';
import { getBlock } from '../../blocks/index';
import { augmentationOf, augments, isImage } from './augment';
import type { Dataset, Split, TensorData } from '../data/dataset';
import { lossFor, type LossName, type TrainingConfig } from './config';

export interface FitIssue {
  /** The graph node to fix (an Input or output node), or null for the dataset as a whole. */
  node: string | null;
  message: string;
}

export class DataFitError extends Error {
  constructor(readonly issues: FitIssue[]) {
    super(issues.map((i) => i.message).join('; '));
    this.name = 'DataFitError';
  }
}

export interface OutputPlan {
  node: string;
  loss: LossName;
  /** Where the targets come from: a dataset label array, or the model input (autoencoders). */
  source: { kind: 'label'; index: number } | { kind: 'input'; index: number };
  classes?: number;
  /** Shape of one prediction (no batch). */
  outShape: number[];
  /** Label id that does not count in the loss or accuracy (the dataset's ignoreLabel). */
  ignore?: number;
}

export interface Plan {
  inputs: { node: string; dataIndex: number }[];
  outputs: OutputPlan[];
}

export const fmt = (s: (number | null)[]) => `[${s.join(', ')}]`;

function isSoftmaxNode(c: CompiledModel, node: string): boolean {
  const info = c.analysis.nodes.get(node);
  if (!info) return false;
  return getBlock(info.type)?.outputActivation?.(info.params) === 'softmax';
}
function isSigmoidNode(c: CompiledModel, node: string): boolean {
  const info = c.analysis.nodes.get(node);
  return !!info && getBlock(info.type)?.outputActivation?.(info.params) === 'sigmoid';
}

/** Checks that a dataset fits the compiled graph; says which node to change and how. */
export function planData(c: CompiledModel, data: Dataset, cfg: TrainingConfig): Plan {
  const issues: FitIssue[] = [];
  const a = c.analysis;
  if (a.inputs.length !== data.train.x.length)
    issues.push({
      node: null,
      message: `the graph has ${a.inputs.length} Input block(s) (${a.inputs.join(', ')}) but the ${data.title} data gives ${data.train.x.length} input(s)${data.task === 'seq2seq' ? ' (seq2seq: the source tokens, then the decoder input — the target shifted right, for teacher forcing)' : ''}`,
    });
  const inputs: Plan['inputs'] = [];
  a.inputs.forEach((id, k) => {
    const t = data.train.x[k];
    if (!t) return;
    const info = a.nodes.get(id)!;
    const shape = info.outputShapes!.out!.slice(1);
    const fits = shape.length === t.shape.length && shape.every((d, i) => d === null || d === t.shape[i]);
    if (!fits) issues.push({ node: id, message: `Input "${id}" has shape ${fmt(shape)} but the ${data.title} data gives ${fmt(t.shape)} — set the Input's shape to ${fmt(t.shape)}` });
    const dtype = info.outputDtypes!.out;
    if (t.dtype === 'int32' && dtype !== 'int32') issues.push({ node: id, message: `Input "${id}" is float32 but the ${data.title} data gives token ids — set the Input's dtype to int32 and feed an Embedding` });
    inputs.push({ node: id, dataIndex: k });
  });
  const outputs: OutputPlan[] = [];
  a.outputs.forEach((o, k) => {
    const outShape = a.nodes.get(o.node)!.outputShapes![o.port]!.slice(1);
    const loss = lossFor(cfg, o.node);
    const regression = loss === 'meanSquaredError' || loss === 'meanAbsoluteError' || loss === 'binaryCrossentropy';
    const x0 = data.train.x[0];
    const useInput =
      cfg.target === 'input' || (cfg.target === 'auto' && regression && !!x0 && outShape.length === x0.shape.length && outShape.every((d, i) => d === x0.shape[i]));
    if (useInput) {
      if (!x0 || outShape.length !== x0.shape.length || !outShape.every((d, i) => d === x0.shape[i]))
        issues.push({ node: o.node, message: `output "${o.node}" has shape ${fmt(outShape)} but is trained to rebuild the input ${fmt(x0?.shape ?? [])} — make the shapes equal` });
      outputs.push({ node: o.node, loss, source: { kind: 'input', index: 0 }, outShape: outShape as number[] });
      return;
    }
    const y = data.train.y[k];
    if (!y) {
      issues.push({ node: o.node, message: `output "${o.node}" has no labels: the ${data.title} data gives ${data.train.y.length} label set(s) for ${a.outputs.length} outputs` });
      return;
    }
    const plan: OutputPlan = { node: o.node, loss, source: { kind: 'label', index: k }, outShape: outShape as number[] };
    if (loss === 'sparseCategoricalCrossentropy' || loss === 'categoricalCrossentropy') {
      const C = data.numClasses ?? 0;
      const want = [...y.shape, C];
      if (outShape.length !== want.length || !outShape.every((d, i) => d === null || d === want[i]))
        issues.push({
          node: o.node,
          message: `output "${o.node}" gives ${fmt(outShape)} but ${data.title} needs ${fmt(want)} (${C} classes${y.shape.length ? ` at each of ${y.shape.join('×')} positions` : ''}) — ${outShape[outShape.length - 1] !== C ? `set its units to ${C}` : 'check the sequence length'}`,
        });
      if (!isSoftmaxNode(c, o.node)) issues.push({ node: o.node, message: `${loss} needs probabilities: set output "${o.node}"'s activation to softmax (or end with a Softmax block)` });
      plan.classes = C;
      if (loss === 'sparseCategoricalCrossentropy' && data.ignoreLabel !== undefined) plan.ignore = data.ignoreLabel;
    } else if (loss === 'binaryCrossentropy') {
      if ((data.numClasses ?? 2) !== 2) issues.push({ node: o.node, message: `binaryCrossentropy needs 2 classes, ${data.title} has ${data.numClasses} — use sparseCategoricalCrossentropy with a softmax output` });
      const want = [...y.shape, 1];
      if (!(outShape.length === want.length && outShape.every((d, i) => d === want[i])))
        issues.push({ node: o.node, message: `output "${o.node}" gives ${fmt(outShape)} but binary labels need ${fmt(want)} — use 1 unit with a sigmoid activation` });
      if (!isSigmoidNode(c, o.node)) issues.push({ node: o.node, message: `binaryCrossentropy needs a probability: set output "${o.node}"'s activation to sigmoid` });
    } else if (!(outShape.length === y.shape.length && outShape.every((d, i) => d === y.shape[i]))) {
      issues.push({ node: o.node, message: `output "${o.node}" gives ${fmt(outShape)} but the ${data.title} targets are ${fmt(y.shape)}` });
    }
    outputs.push(plan);
  });
  const aug = augmentationOf(cfg);
  if (augments(aug) && !inputs.some((i) => isImage(data.train.x[i.dataIndex]!)))
    issues.push({
      node: inputs[0]?.node ?? null,
      message: `augmentation (${[aug.shift ? `shift ${aug.shift} px` : '', aug.rotate ? `rotate ${aug.rotate}°` : '', aug.flip ? 'flip' : ''].filter(Boolean).join(', ')}) works on images, but the ${data.title} data gives ${data.train.x.map((t) => fmt(t.shape)).join(', ')} — turn it off`,
    });
  if (issues.length) throw new DataFitError(issues);
  return { inputs, outputs };
}

export function toTensor(t: TensorData, n: number): tf.Tensor {
  return tf.tensor(t.data, [n, ...t.shape], t.dtype);
}

/** The batch's input tensors and target tensors, shaped for the model. */
export function batchTensors(plan: Plan, s: Split): { xs: tf.Tensor[]; ys: tf.Tensor[] } {
  const xs = plan.inputs.map((i) => toTensor(s.x[i.dataIndex]!, s.n));
  const ys = plan.outputs.map((o) => {
    const src = o.source.kind === 'input' ? s.x[o.source.index]! : s.y[o.source.index]!;
    const t = toTensor(src, s.n);
    if (o.loss === 'binaryCrossentropy') return t.toFloat().reshape([s.n, ...o.outShape]);
    if (o.loss === 'categoricalCrossentropy') return tf.oneHot(t.toInt().flatten(), o.classes!).reshape([s.n, ...o.outShape]);
    if (o.loss === 'sparseCategoricalCrossentropy') return t.toInt();
    return t.toFloat();
  });
  return { xs, ys };
}
