// Validation + shape inference time (analyze()) for chains and branching graphs of 50 to 1,000
// blocks. Target (issue 2): under 5 ms for 500 blocks, growing linearly.
import { performance } from 'node:perf_hooks';
import { analyze } from '../src/core/infer';
import { parseGraphText, type GraphDoc, type GraphEdge, type GraphNode } from '../src/core/graph';
import type { BenchSection } from './types';

export const SIZES = [50, 200, 500, 1000];

function docOf(name: string, nodes: GraphNode[], edges: GraphEdge[]): GraphDoc {
  return { format: 'neural-blocks.graph', version: 1, name, nodes, edges };
}

/** Input → Dense → Dense → … : n blocks in one line. */
export function denseChain(n: number): GraphDoc {
  const nodes: GraphNode[] = [{ id: 'x', type: 'Input', params: { shape: [64] } }];
  const edges: GraphEdge[] = [];
  for (let i = 1; i < n; i++) {
    nodes.push({ id: `d${i}`, type: 'Dense', params: { units: 64, activation: 'relu' } });
    edges.push({ source: nodes[i - 1]!.id, target: `d${i}` });
  }
  return docOf(`dense chain ${n}`, nodes, edges);
}

/** Input → Conv2D (same padding) → … : n blocks of 2-D convolution in one line. */
export function convChain(n: number): GraphDoc {
  const nodes: GraphNode[] = [{ id: 'x', type: 'Input', params: { shape: [32, 32, 16] } }];
  const edges: GraphEdge[] = [];
  for (let i = 1; i < n; i++) {
    nodes.push({ id: `c${i}`, type: 'Conv2D', params: { filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' } });
    edges.push({ source: nodes[i - 1]!.id, target: `c${i}` });
  }
  return docOf(`conv chain ${n}`, nodes, edges);
}

/**
 * A ResNet/Inception-style graph of n blocks: residual units (conv → BN → ReLU → conv → BN →
 * Add with the shortcut → ReLU) alternating with two-branch units (3×3 and 1×1 convs →
 * Concatenate → 1×1 conv back to the width), padded to exactly n blocks with activations.
 */
export function branching(n: number): GraphDoc {
  const nodes: GraphNode[] = [{ id: 'x', type: 'Input', params: { shape: [16, 16, 32] } }];
  const edges: GraphEdge[] = [];
  let last = 'x';
  let u = 0;
  const add = (id: string, type: string, params: Record<string, unknown>, from: string[]) => {
    nodes.push({ id, type, params });
    for (const f of from) edges.push({ source: f, target: id });
    return id;
  };
  const conv = (k: number) => ({ filters: 32, kernelSize: k, padding: 'same', useBias: false });
  while (true) {
    const left = n - nodes.length;
    if (u % 2 === 0 && left >= 7) {
      const a = add(`u${u}_c1`, 'Conv2D', conv(3), [last]);
      const b = add(`u${u}_bn1`, 'BatchNormalization', {}, [a]);
      const r = add(`u${u}_r1`, 'Activation', { activation: 'relu' }, [b]);
      const c = add(`u${u}_c2`, 'Conv2D', conv(3), [r]);
      const d = add(`u${u}_bn2`, 'BatchNormalization', {}, [c]);
      const s = add(`u${u}_add`, 'Add', {}, [d, last]);
      last = add(`u${u}_r2`, 'Activation', { activation: 'relu' }, [s]);
    } else if (u % 2 === 1 && left >= 4) {
      const a = add(`u${u}_b3`, 'Conv2D', conv(3), [last]);
      const b = add(`u${u}_b1`, 'Conv2D', conv(1), [last]);
      const cat = add(`u${u}_cat`, 'Concatenate', {}, [a, b]);
      last = add(`u${u}_proj`, 'Conv2D', conv(1), [cat]);
    } else if (left > 0 && left < 4) {
      last = add(`pad${nodes.length}`, 'Activation', { activation: 'relu' }, [last]);
    } else if (left <= 0) break;
    u++;
  }
  return docOf(`branching ${n}`, nodes, edges);
}

export interface Timing {
  graph: string;
  blocks: number;
  edges: number;
  /** Samples taken; each times `batch` consecutive runs and divides by it. */
  samples: number;
  batch: number;
  medianMs: number;
  minMs: number;
  p90Ms: number;
  /** Median CPU time (user + system) of this process per run: unaffected by waiting for a CPU. */
  cpuMedianMs: number;
  usPerBlock: number;
  parseAndAnalyzeMedianMs: number;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Median of many samples after a warm-up. Each sample runs analyze() `batch` times in a row
 * (enough for about 2 ms) so the CPU-time clock, coarser than performance.now(), resolves it.
 * At least 30 samples and about 0.5 s per case.
 */
export function timeCase(kind: string, doc: GraphDoc): Timing {
  const text = JSON.stringify(doc);
  const check = analyze(doc);
  if (!check.ok) throw new Error(`bench graph ${doc.name} is invalid: ${check.errors[0]?.message}`);
  let est = Infinity;
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    analyze(doc);
    est = Math.min(est, performance.now() - t0);
  }
  const batch = Math.max(1, Math.ceil(2 / Math.max(est, 1e-3)));
  const wall: number[] = [];
  const cpu: number[] = [];
  const start = performance.now();
  while (wall.length < 30 || (performance.now() - start < 500 && wall.length < 2000)) {
    const c0 = cpuMs();
    const t0 = performance.now();
    for (let k = 0; k < batch; k++) analyze(doc);
    wall.push((performance.now() - t0) / batch);
    cpu.push((cpuMs() - c0) / batch);
  }
  const both: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    analyze(parseGraphText(text));
    both.push(performance.now() - t0);
  }
  for (const a of [wall, cpu, both]) a.sort((x, y) => x - y);
  const median = quantile(wall, 0.5);
  return {
    graph: kind,
    blocks: doc.nodes.length,
    edges: doc.edges.length,
    samples: wall.length,
    batch,
    medianMs: median,
    minMs: wall[0]!,
    p90Ms: quantile(wall, 0.9),
    cpuMedianMs: quantile(cpu, 0.5),
    usPerBlock: (median * 1000) / doc.nodes.length,
    parseAndAnalyzeMedianMs: quantile(both, 0.5),
  };
}

export function benchAnalyze(): BenchSection {
  const kinds: [string, (n: number) => GraphDoc][] = [
    ['chain (Dense)', denseChain],
    ['chain (Conv2D)', convChain],
    ['branching (residual Add + Concatenate)', branching],
  ];
  const results: Timing[] = [];
  for (const [kind, make] of kinds) for (const n of SIZES) results.push(timeCase(kind, make(n)));
  const targets: NonNullable<BenchSection['targets']> = [];
  for (const [kind] of kinds) {
    const at = (n: number) => results.find((r) => r.graph === kind && r.blocks === n)!;
    targets.push({ what: `${kind}: 500 blocks under 5 ms (median wall time)`, met: at(500).medianMs < 5, detail: `${at(500).medianMs.toFixed(3)} ms` });
    targets.push({ what: `${kind}: 500 blocks under 5 ms (median CPU time)`, met: at(500).cpuMedianMs < 5, detail: `${at(500).cpuMedianMs.toFixed(3)} ms` });
    // Linear growth: the CPU time per block at 1,000 blocks stays within 1.5× of that at 200.
    const ratio = at(1000).cpuMedianMs / 1000 / (at(200).cpuMedianMs / 200);
    targets.push({ what: `${kind}: linear (CPU time per block at 1,000 blocks ≤ 1.5× that at 200)`, met: ratio <= 1.5, detail: `ratio ${ratio.toFixed(2)}` });
  }
  return {
    name: 'analyze',
    title: 'Validation + shape inference (analyze)',
    method:
      'analyze() on an already parsed document: structure, types, params, edges, topological order, shape inference, parameter counts and MACs. After 20 warm-up runs, at least 30 samples (and about 0.5 s) per case; each sample times a batch of consecutive runs (about 2 ms in all) and divides by the batch size. Wall time (performance.now) and CPU time of the process (process.cpuUsage, user + system) are both reported: on an idle machine they agree; on a busy one the wall time also counts waiting for a CPU. "parse + analyze" adds JSON.parse and the format checks of parseGraphText (wall, median of 30 single runs).',
    table: {
      columns: ['graph', 'blocks', 'edges', 'samples × runs', 'median ms', 'min ms', 'p90 ms', 'CPU median ms', 'µs / block (CPU)', 'parse + analyze ms'],
      rows: results.map((r) => [
        r.graph,
        r.blocks,
        r.edges,
        `${r.samples} × ${r.batch}`,
        r.medianMs.toFixed(3),
        r.minMs.toFixed(3),
        r.p90Ms.toFixed(3),
        r.cpuMedianMs.toFixed(3),
        ((r.cpuMedianMs * 1000) / r.blocks).toFixed(2),
        r.parseAndAnalyzeMedianMs.toFixed(3),
      ]),
    },
    targets,
    notes: ['On a busy machine (load average above the core count) the wall-time median mostly measures waiting for a CPU; the CPU-time and min columns are then the better estimates of the work itself.'],
    data: results,
  };
}
