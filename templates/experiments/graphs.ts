// The graph builders the Experiments gallery's variants are made of: plain data (GraphDoc), so the
// app and scripts/measure-experiments.ts train exactly the same models.
import type { GraphDoc, GraphEdge, GraphNode } from '../../src/core/graph';

type Training = Record<string, unknown>;

/** A node and, for blocks with several input ports, which port its chain predecessor feeds. */
interface Step extends GraphNode {
  /** Inputs other than the previous node in the chain: [source id, target port]. */
  from?: [string, string][];
  port?: string;
}

/** Lays the nodes out in rows of 8 and wires each to the one before it (plus any extra inputs). */
function doc(name: string, steps: Step[], training: Training): GraphDoc {
  const nodes: GraphNode[] = steps.map(({ from: _f, port: _p, ...n }, i) => ({ ...n, position: { x: 40 + (i % 8) * 210, y: 40 + Math.floor(i / 8) * 130 } }));
  const edges: GraphEdge[] = [];
  steps.forEach((s, i) => {
    if (i > 0 && !s.from) edges.push({ source: steps[i - 1]!.id, target: s.id, ...(s.port ? { targetHandle: s.port } : {}) });
    for (const [source, targetHandle] of s.from ?? []) edges.push({ source, target: s.id, targetHandle });
  });
  return { format: 'neural-blocks.graph', version: 1, name, nodes, edges, training };
}

/** Input 28×28 → Flatten → `depth` Dense blocks (with a BatchNorm before each activation when asked, a Dropout after each when asked) → 10-way softmax. */
export function deepMlp(name: string, depth: number, activation: string, opts: { batchNorm?: boolean; dropout?: number; units?: number; training: Training }): GraphDoc {
  const units = opts.units ?? 64;
  const steps: Step[] = [
    { id: 'image', type: 'Input', params: { shape: [28, 28, 1] } },
    { id: 'flatten', type: 'Flatten', params: {} },
  ];
  for (let i = 1; i <= depth; i++) {
    steps.push({ id: `dense_${i}`, type: 'Dense', params: { units, activation: opts.batchNorm ? 'linear' : activation } });
    if (opts.batchNorm) {
      // momentum 0.9: a few hundred steps are enough for the moving statistics the test set is scored with
      steps.push({ id: `bn_${i}`, type: 'BatchNormalization', params: { momentum: 0.9 } });
      steps.push({ id: `act_${i}`, type: 'Activation', params: { activation } });
    }
    if (opts.dropout) steps.push({ id: `dropout_${i}`, type: 'Dropout', params: { rate: opts.dropout } });
  }
  steps.push({ id: 'out', type: 'Dense', params: { units: 10, activation: 'softmax' } });
  return doc(name, steps, opts.training);
}

/**
 * MNIST CNN: a stride-2 stem conv to 14×14, then `blocks` pairs of 3×3 convs of `filters`
 * channels. Plain: conv → ReLU → conv → ReLU. Residual: the same two convs, the second one's
 * output added to the pair's input before its ReLU (He et al. 2016's basic block, without batch
 * norm). Same parameters either way; only the Add and where the ReLU sits differ.
 */
export function deepCnn(name: string, blocks: number, residual: boolean, opts: { filters?: number; training: Training }): GraphDoc {
  const f = opts.filters ?? 16;
  const conv = (id: string, activation: string, strides = [1, 1]): Step => ({ id, type: 'Conv2D', params: { filters: f, kernelSize: [3, 3], strides, padding: 'same', activation } });
  const steps: Step[] = [{ id: 'image', type: 'Input', params: { shape: [28, 28, 1] } }, conv('stem', 'relu', [2, 2])];
  let prev = 'stem';
  for (let b = 1; b <= blocks; b++) {
    steps.push(conv(`conv_${b}a`, 'relu'));
    if (residual) {
      steps.push(conv(`conv_${b}b`, 'linear'));
      steps.push({ id: `add_${b}`, type: 'Add', params: {}, from: [[prev, 'in0'], [`conv_${b}b`, 'in1']] });
      steps.push({ id: `relu_${b}`, type: 'Activation', params: { activation: 'relu' } });
      prev = `relu_${b}`;
    } else {
      steps.push(conv(`conv_${b}b`, 'relu'));
      prev = `conv_${b}b`;
    }
  }
  steps.push({ id: 'pool', type: 'GlobalAveragePooling2D', params: {} });
  steps.push({ id: 'out', type: 'Dense', params: { units: 10, activation: 'softmax' } });
  return doc(name, steps, opts.training);
}

/** A sequence of feature vectors → one recurrent block (its last step only) → softmax over `classes`. */
export function sequenceClassifier(name: string, cell: 'SimpleRNN' | 'LSTM', opts: { length: number; features: number; units: number; classes: number; activation?: string; cellParams?: Record<string, unknown>; training: Training }): GraphDoc {
  const steps: Step[] = [
    { id: 'sequence', type: 'Input', params: { shape: [opts.length, opts.features] } },
    { id: cell === 'LSTM' ? 'lstm' : 'rnn', type: cell, params: { units: opts.units, ...(opts.activation ? { activation: opts.activation } : {}), ...opts.cellParams }, port: 'in' },
    { id: 'out', type: 'Dense', params: { units: opts.classes, activation: 'softmax' } },
  ];
  return doc(name, steps, opts.training);
}
