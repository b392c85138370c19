// Reshape: the errors name both element counts, a -1 is resolved when the size is known (so a
// Dense can follow Reshape([-1]) — tfjs' symbolic shape alone would leave it unknown), and the
// element order is tfjs' (row-major).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import reshape from './reshape';
import { analyze } from '../src/core/infer';
import { compile } from '../src/core/compile';
import { fixtureGraph } from '../src/core/fixtureGraph';
import type { GraphDoc } from '../src/core/graph';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Reshape', () => {
  it('names both element counts when they differ', () => {
    const a = analyze(fixtureGraph(reshape, { params: { targetShape: [5, 5] }, inputs: [[null, 4, 6]] }));
    expect(a.errors).toHaveLength(1);
    expect(a.errors[0]).toMatchObject({ node: 'b', param: 'targetShape' });
    expect(a.errors[0]!.message).toMatch(/cannot reshape \[null, 4, 6\] \(24 elements per example\) into targetShape \[5, 5\] \(25 elements\)/);
  });

  it('says when the known dims do not divide the size (with a -1)', () => {
    const a = analyze(fixtureGraph(reshape, { params: { targetShape: [-1, 5] }, inputs: [[null, 4, 6]] }));
    expect(a.errors[0]!.message).toMatch(/\(24 elements per example\) into targetShape \[-1, 5\]: the known dimensions hold 5 elements, which does not divide 24/);
  });

  it('rejects two -1 entries on the param', () => {
    const a = analyze(fixtureGraph(reshape, { params: { targetShape: [-1, -1] }, inputs: [[null, 4, 6]] }));
    expect(a.errors[0]).toMatchObject({ param: 'targetShape' });
    expect(a.errors[0]!.message).toMatch(/-1 only once, got \[-1,-1\]/);
  });

  it('resolves -1 so that a Dense can follow', () => {
    const doc: GraphDoc = {
      format: 'neural-blocks.graph',
      version: 1,
      nodes: [
        { id: 'x', type: 'Input', params: { shape: [4, 3, 2] } },
        { id: 'r', type: 'Reshape', params: { targetShape: [-1] } },
        { id: 'd', type: 'Dense', params: { units: 5 } },
      ],
      edges: [
        { source: 'x', target: 'r' },
        { source: 'r', target: 'd' },
      ],
    };
    const a = analyze(doc);
    expect(a.errors).toEqual([]);
    expect(a.nodes.get('r')!.outputShapes!.out).toEqual([null, 24]);
    const c = compile(doc);
    try {
      expect(c.model.getLayer('r').outputShape).toEqual([null, 24]);
      expect(a.nodes.get('d')!.paramCount!.trainable).toBe(c.model.countParams());
    } finally {
      c.model.dispose();
    }
  });

  it('keeps row-major element order', () => {
    const c = compile(fixtureGraph(reshape, { params: { targetShape: [3, -1] }, inputs: [[null, 2, 3]] }));
    try {
      const y = c.model.predict(tf.tensor([[[0, 1, 2], [3, 4, 5]]])) as tf.Tensor;
      expect(y.arraySync()).toEqual([[[0, 1], [2, 3], [4, 5]]]);
    } finally {
      c.model.dispose();
    }
  });
});
