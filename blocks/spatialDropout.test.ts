// SpatialDropout: while training it zeroes whole channels (feature maps, or features across all
// steps) and scales the rest; at inference it is the identity; the 2-D custom layer reloads.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import spatialDropout from './spatialDropout';
import { compile } from '../src/core/compile';
import { fixtureGraph } from '../src/core/fixtureGraph';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** For each (example, channel): whether all its values were dropped, or all kept and scaled. */
function channelFates(x: number[], y: number[], shape: number[], rate: number): ('dropped' | 'kept')[] {
  const c = shape[shape.length - 1]!;
  const perExample = x.length / shape[0]!;
  const fates: ('dropped' | 'kept')[] = [];
  for (let n = 0; n < shape[0]!; n++)
    for (let ch = 0; ch < c; ch++) {
      let dropped = 0;
      let kept = 0;
      for (let i = n * perExample + ch; i < (n + 1) * perExample; i += c) {
        if (y[i] === 0) dropped++;
        else if (Math.abs(y[i]! - x[i]! / (1 - rate)) < 1e-5) kept++;
      }
      const total = perExample / c;
      expect(dropped === total || kept === total, `example ${n} channel ${ch}: ${dropped} dropped, ${kept} kept of ${total}`).toBe(true);
      fates.push(dropped === total ? 'dropped' : 'kept');
    }
  return fates;
}

describe('SpatialDropout', () => {
  for (const shape of [[null, 5, 6, 16], [null, 7, 16]]) {
    it(`drops whole channels while training, identity at inference: ${JSON.stringify(shape)}`, () => {
      const rate = 0.5;
      const c = compile(fixtureGraph(spatialDropout, { params: { rate }, inputs: [shape] }));
      try {
        const layer = c.layersByNode.get('b')![0]!;
        const concrete = [4, ...shape.slice(1)] as number[];
        // Strictly positive inputs, so a zero output means "dropped".
        const x = tf.add(tf.randomUniform(concrete, 0, 1, 'float32', 3), 0.5);
        const y = layer.apply(x, { training: true }) as tf.Tensor;
        const fates = channelFates(Array.from(x.dataSync()), Array.from(y.dataSync()), concrete, rate);
        // 64 channel draws at rate 0.5: both outcomes occur (a chance of 2·2⁻⁶⁴ otherwise).
        expect(fates).toContain('dropped');
        expect(fates).toContain('kept');
        const inference = c.model.predict(x) as tf.Tensor;
        expect(Array.from(inference.dataSync())).toEqual(Array.from(x.dataSync()));
      } finally {
        c.model.dispose();
      }
    });
  }

  it('saves and reloads (the 2-D layer is a registered custom class)', async () => {
    const c = compile(fixtureGraph(spatialDropout, { params: { rate: 0.3 }, inputs: [[null, 4, 4, 3]] }));
    try {
      let saved: tf.io.ModelArtifacts | undefined;
      await c.model.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
      const back = await tf.loadLayersModel(tf.io.fromMemory(saved!));
      const layer = back.getLayer('b');
      expect(layer.getClassName()).toBe('SpatialDropout2D');
      expect(layer.getConfig().rate).toBe(0.3);
      back.dispose();
    } finally {
      c.model.dispose();
    }
  });
});
