// Activations over a wide input range: the contract feeds inputs in [-1, 1), where relu6's cap,
// hardSigmoid's clipping and softplus' tail never show. Here every activation runs on
// [-8, 8] in tfjs and, exported, in onnxruntime, and must agree within 1e-4.
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import activation from './activation';
import { compile } from '../src/core/compile';
import { fixtureGraph } from '../src/core/fixtureGraph';
import { exportOnnx, onnxOutputName } from '../src/onnx/export';
import { ACTIVATIONS } from '../src/core/shapes';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Activation on [-8, 8]', () => {
  for (const name of ACTIVATIONS) {
    it(`${name}: onnxruntime equals tfjs`, async () => {
      const c = compile(fixtureGraph(activation, { params: { activation: name }, inputs: [[null, 4, 41]] }));
      try {
        // Evenly spaced over [-8, 8] (every row the same ramp, shifted a little per row).
        const data = Float32Array.from({ length: 3 * 4 * 41 }, (_, i) => -8 + (i % 41) * 0.4 + Math.floor(i / 41) * 0.01);
        const want = (c.model.predict(tf.tensor(data, [3, 4, 41])) as tf.Tensor).dataSync();
        const session = await ort.InferenceSession.create(exportOnnx(c));
        const out = await session.run({ [c.analysis.inputs[0]!]: new ort.Tensor('float32', data, [3, 4, 41]) });
        const got = out[onnxOutputName(c.analysis, c.analysis.outputs[0]!)]!.data as Float32Array;
        let worst = 0;
        got.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - want[i]!))));
        expect(worst).toBeLessThanOrEqual(1e-4);
        await session.release();
      } finally {
        c.model.dispose();
      }
    });
  }
});
