// The block contract: for every block in the registry and every fixture, default params
// validate, inferShape equals what real tfjs computes (symbolically and on a real forward pass),
// the block compiles, and its param counts equal tfjs' countParams().
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it, beforeAll } from 'vitest';
import { BLOCKS } from './index';
import type { ParamSchema } from '../src/core/spec';
import { analyze } from '../src/core/infer';
import { compile } from '../src/core/compile';
import { resolveParams } from '../src/core/params';
import { concreteShape, fixtureGraph, fixtureName } from '../src/core/fixtureGraph';
import { randomInputs } from '../src/core/randomInputs';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('block registry', () => {
  it('has unique types and complete docs', () => {
    const types = BLOCKS.map((b) => b.type);
    expect(new Set(types).size).toBe(types.length);
    for (const b of BLOCKS) {
      expect(b.docs.length, `${b.type} docs`).toBeGreaterThan(60);
      for (const [name, def] of Object.entries(b.params as ParamSchema)) expect(def.doc.length, `${b.type}.${name} doc`).toBeGreaterThan(5);
      expect(b.fixtures.length, `${b.type} fixtures`).toBeGreaterThan(0);
    }
  });
  it('writes every block as PyTorch, or says why it cannot', () => {
    // Input is the forward() argument itself; every other block needs toPytorch or a stated reason.
    const missing = BLOCKS.filter((b) => b.type !== 'Input' && typeof b.toPytorch !== 'function' && !b.pytorchUnsupported?.trim()).map((b) => b.type);
    expect(missing, 'blocks without toPytorch (add it, with helpers from src/pytorch/emit.ts)').toEqual([]);
  });
});

for (const spec of BLOCKS) {
  describe(`block ${spec.type}`, () => {
    it('default params validate', () => {
      const { issues } = resolveParams(spec, spec.type === 'Input' ? { shape: [3] } : {});
      expect(issues).toEqual([]);
    });
    for (const fx of spec.fixtures) {
      it(`matches tfjs: ${fixtureName(spec, fx)}`, () => {
        const doc = fixtureGraph(spec, fx);
        const a = analyze(doc);
        expect(a.errors).toEqual([]);
        const info = a.nodes.get('b')!;
        const c = compile(doc);
        try {
          // Symbolic shapes: tfjs' own computeOutputShape through the functional API.
          const tfShapes = c.model.outputs.map((o) => o.shape);
          const ours = info.outputPorts.map((p) => info.outputShapes![p]);
          expect(tfShapes).toEqual(ours);
          // Param counts equal tfjs'.
          const trainable = c.model.trainableWeights.reduce((n, w) => n + w.shape.reduce((x: number, y) => x * (y ?? 1), 1), 0);
          expect(c.model.countParams()).toBe(info.paramCount!.trainable + info.paramCount!.nonTrainable);
          expect(trainable).toBe(info.paramCount!.trainable);
          // A real forward pass has the inferred shapes (unknown dims filled consistently).
          const inShapes = a.inputs.map((id) => a.nodes.get(id)!.outputShapes!.out!);
          const inTypes = a.inputs.map((id) => a.nodes.get(id)!.outputDtypes!.out as 'float32' | 'int32');
          const xs = randomInputs(inShapes, inTypes, fx.maxInt, 1);
          const ys = tf.tidy(() => {
            const out = c.model.predict(xs.length === 1 ? xs[0]! : xs);
            return (Array.isArray(out) ? out : [out]).map((t) => ({ shape: t.shape, finite: t.isFinite().all().dataSync()[0] }));
          });
          ys.forEach((y, k) => {
            expect(y.shape).toEqual(concreteShape(ours[k]!));
            expect(y.finite).toBe(1);
          });
          xs.forEach((x) => x.dispose());
        } finally {
          c.model.dispose();
        }
      });
    }
  });
}
