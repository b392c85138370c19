import { describe, expect, it } from 'vitest';
import type { GraphDoc } from '../core/graph';
import { DEFAULT_TRAINING } from './config';
import { finalMetrics, graphHash, runDifferences, runsToCsv, runsToJson, type RunRecord } from './runs';

const doc: GraphDoc = {
  format: 'neural-blocks.graph',
  version: 1,
  name: 'm',
  nodes: [
    { id: 'x', type: 'Input', params: { shape: [2] }, position: { x: 0, y: 0 } },
    { id: 'd', type: 'Dense', params: { units: 2 }, position: { x: 100, y: 0 } },
  ],
  edges: [{ source: 'x', target: 'd' }],
};

function run(id: string, over: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    graphName: 'm',
    graphHash: graphHash(doc),
    dataset: 'xor',
    config: { ...DEFAULT_TRAINING },
    backend: 'cpu',
    startedAt: Date.UTC(2026, 0, 1),
    seconds: 2.04,
    status: 'completed',
    epochs: [{ epoch: 0, loss: 0.5, accuracy: 0.8 }],
    final: finalMetrics([{ epoch: 0, loss: 0.5, accuracy: 0.8 }], { loss: 0.6, accuracy: 0.75 }),
    ...over,
  };
}

describe('runs', () => {
  it('hashes what is trained, not where blocks sit', () => {
    const moved = { ...doc, nodes: doc.nodes.map((n) => ({ ...n, position: { x: 5, y: 5 }, label: 'L' })) };
    expect(graphHash(moved)).toBe(graphHash(doc));
    expect(graphHash({ ...doc, nodes: [doc.nodes[0]!, { ...doc.nodes[1]!, params: { units: 3 } }] })).not.toBe(graphHash(doc));
    expect(graphHash({ ...doc, nodes: [doc.nodes[0]!, { ...doc.nodes[1]!, trainable: false }] })).not.toBe(graphHash(doc));
    expect(graphHash(doc)).toMatch(/^[0-9a-f]{12}$/);
  });

  it('lists only the fields that differ between runs', () => {
    const a = run('a');
    const b = run('b', { config: { ...DEFAULT_TRAINING, optimizer: 'sgd', momentum: 0.9 }, final: { ...a.final, testAccuracy: 0.9 } });
    expect(runDifferences([a, b]).map((f) => f.key)).toEqual(['optimizer', 'testAccuracy']);
    expect(runDifferences([a, b])[0]!.get(b)).toBe('sgd+momentum 0.9');
  });

  it('exports CSV (quoted where needed) and JSON', () => {
    const csv = runsToCsv([run('a', { label: 'ReLU, He' })]);
    const [head, row] = csv.trim().split('\n');
    expect(head!.split(',').slice(0, 4)).toEqual(['id', 'startedAt', 'label', 'graphHash']);
    expect(row).toContain('"ReLU, He"');
    expect(row).toContain('2026-01-01T00:00:00.000Z');
    expect(row).toContain(',0.75,'); // test accuracy
    const back = JSON.parse(runsToJson([run('a')])) as { format: string; runs: RunRecord[] };
    expect(back.format).toBe('neural-blocks.runs');
    expect(back.runs[0]!.epochs).toEqual([{ epoch: 0, loss: 0.5, accuracy: 0.8 }]);
  });
});
