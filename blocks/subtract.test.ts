// Subtract: tfjs 4.22 has no Subtract layer, so the block brings its own; it computes in0 − in1,
// rejects a third input, and saves and reloads.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import subtract from './subtract';
import { analyze } from '../src/core/infer';
import { compile } from '../src/core/compile';
import { fixtureGraph } from '../src/core/fixtureGraph';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Subtract', () => {
  it('computes in0 − in1 and reloads', async () => {
    const c = compile(fixtureGraph(subtract, { params: {}, inputs: [[null, 3], [null, 3]] }));
    try {
      const a = tf.tensor([[5, 1, -2]]);
      const b = tf.tensor([[1, 4, 0.5]]);
      expect((c.model.predict([a, b]) as tf.Tensor).arraySync()).toEqual([[4, -3, -2.5]]);
      let saved: tf.io.ModelArtifacts | undefined;
      await c.model.save(tf.io.withSaveHandler(async (m) => ((saved = m), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
      const back = await tf.loadLayersModel(tf.io.fromMemory(saved!));
      expect(back.getLayer('b').getClassName()).toBe('Subtract');
      expect((back.predict([a, b]) as tf.Tensor).arraySync()).toEqual([[4, -3, -2.5]]);
      back.dispose();
    } finally {
      c.model.dispose();
    }
  });

  it('takes exactly two inputs and equal shapes', () => {
    const three = analyze(fixtureGraph(subtract, { params: {}, inputs: [[null, 3], [null, 3], [null, 3]] }));
    expect(three.errors[0]!.message).toMatch(/Subtract takes exactly 2 inputs, got 3/);
    const shapes = analyze(fixtureGraph(subtract, { params: {}, inputs: [[null, 3], [null, 4]] }));
    expect(shapes.errors[0]!.message).toMatch(/Subtract needs inputs of the same shape, got \[null, 3\] and \[null, 4\]/);
  });

  it('broadcasts a 1 against any size and states that rule when axes disagree', () => {
    const ok = analyze(fixtureGraph(subtract, { params: {}, inputs: [[null, 5, 6, 4], [null, 1, 1, 4]] }));
    expect(ok.nodes.get('b')!.outputShapes!.out).toEqual([null, 5, 6, 4]);
    const bad = analyze(fixtureGraph(subtract, { params: {}, inputs: [[null, 2, 6, 4], [null, 3, 1, 4]] }));
    expect(bad.errors[0]!.message).toMatch(/axis 1: 2 vs 3; each axis must be equal on every input or 1, which broadcasts, as \[N,1,1,C\] with \[N,H,W,C\]/);
  });
});
