// Writes one PyTorch parity case for parity.py: the generated project (model.py, model.pt, …)
// plus io.json/io.bin holding seeded inputs and tfjs' outputs for them. Shared by the parity
// tests (pytorch.test.ts: every block fixture and template; templatesFull.test.ts: full-size
// ImageNet templates). Test support only: it needs Node (fs).
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile, type CompiledModel } from '../core/compile';
import type { GraphDoc } from '../core/graph';
import { randomInputs } from '../core/randomInputs';
import { generatePytorch } from './generate';
import { writePt } from './pt';

export type Randomise = (c: CompiledModel, seed: number) => void;

export function writeParityCase(dir: string, doc: GraphDoc, seed: number, randomise: Randomise, batch = 2): void {
  const c = compile(doc);
  try {
    randomise(c, seed);
    const a = c.analysis;
    const inShapes = a.inputs.map((id) => a.nodes.get(id)!.outputShapes!.out!);
    const inTypes = a.inputs.map((id) => a.nodes.get(id)!.outputDtypes!.out as 'float32' | 'int32');
    const maxInt = Math.min(...a.order.map((id) => a.nodes.get(id)!).filter((n) => n.type === 'Embedding').map((n) => n.params.inputDim as number), 10);
    const xs = randomInputs(inShapes, inTypes, maxInt, seed, batch);
    const out = c.model.predict(xs.length === 1 ? xs[0]! : xs);
    const ys = Array.isArray(out) ? out : [out];
    const gen = generatePytorch(c, doc);
    mkdirSync(dir, { recursive: true });
    for (const [f, text] of Object.entries(gen.files)) writeFileSync(join(dir, f), text);
    writeFileSync(join(dir, 'model.pt'), writePt(gen.weights));
    const parts: Buffer[] = [];
    let off = 0;
    const put = (t: tf.Tensor) => {
      const data = t.dtype === 'int32' ? new Int32Array(t.dataSync() as Int32Array) : new Float32Array(t.dataSync() as Float32Array);
      parts.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      const e = { shape: t.shape, dtype: t.dtype === 'int32' ? 'int32' : 'float32', offset: off };
      off += data.byteLength;
      return e;
    };
    const io = { inputs: xs.map(put), outputs: ys.map(put) };
    writeFileSync(join(dir, 'io.json'), JSON.stringify(io));
    writeFileSync(join(dir, 'io.bin'), Buffer.concat(parts));
    xs.forEach((x) => x.dispose());
    ys.forEach((y) => y.dispose());
  } finally {
    c.model.dispose();
  }
}

/** What parity.py reports per case. */
export type ParityResult = { error?: string; outputs?: { max?: number; scale?: number; shape?: number[]; want?: number[] }[] };
