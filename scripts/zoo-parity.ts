// Full-size parity for EVERY zoo template (templates/zoo.ts), not just the ones CI runs
// (templates/zoo-parity.test.ts): tfjs on its WASM backend against onnxruntime at 224×224 and
// against the exported PyTorch project in Debian's torch, on the logits (the output softmax
// removed: see withLogits). Prints one row per template.
//
//   npx tsx scripts/zoo-parity.ts [NAME…] [--torch-size N]
//
// --torch-size runs the PyTorch leg at N×N instead of 224×224 (the tfjs side of it then runs at
// N×N too; the ONNX leg stays at 224×224). Exit status 1 when any difference exceeds 1e-4
// (relative once the logits exceed 1).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-node';
import type { GraphDoc } from '../src/core/graph';
import { buildAll } from '../templates/catalog';
import { ZOO } from '../templates/zoo';
import { atInputSize, withLogits, zooOnnxParity, zooTorchParity } from '../templates/zooParity';

const TOL = 1e-4;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let torchSize = 224;
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--torch-size') {
      torchSize = Number(args[++i]);
      if (!Number.isInteger(torchSize) || torchSize < 32) throw new Error(`--torch-size must be an integer ≥ 32, got "${args[i]}"`);
    } else names.push(args[i]!);
  }
  for (const n of names) if (!ZOO[n]) throw new Error(`"${n}" is not in the zoo (templates/zoo.ts): ${Object.keys(ZOO).join(', ')}`);
  const chosen = buildAll().filter((t) => ZOO[t.name] && (!names.length || names.includes(t.name)));
  await tf.setBackend('wasm');
  await tf.ready();
  let bad = 0;
  const fmt = (d: number, scale: number) => `${d.toExponential(2)} (largest logit ${scale.toFixed(2)})`;
  console.log(`| template | ONNX max diff, 224×224 | PyTorch max diff, ${torchSize}×${torchSize} | seconds |`);
  console.log('|---|---|---|---|');
  for (const { name, doc: full } of chosen) {
    const t0 = performance.now();
    let doc: GraphDoc;
    try {
      doc = withLogits(full);
    } catch (e) {
      bad++;
      console.log(`| ${name} | ${(e as Error).message} | | |`);
      continue;
    }
    let onnx = 'error';
    let torch = 'error';
    try {
      const o = await zooOnnxParity(doc, ort);
      if (o.tfjsShape || o.maxAbsDiff > TOL * Math.max(1, o.scale)) bad++;
      onnx = o.tfjsShape ? `shape ${JSON.stringify(o.shape)} vs tfjs ${JSON.stringify(o.tfjsShape)}` : fmt(o.maxAbsDiff, o.scale);
    } catch (e) {
      bad++;
      console.error(`${name} ONNX: ${(e as Error).message}`);
    }
    try {
      const p = zooTorchParity([{ name, doc: atInputSize(doc, torchSize) }])[name]!;
      if (p.maxAbsDiff > TOL * Math.max(1, p.scale)) bad++;
      torch = fmt(p.maxAbsDiff, p.scale);
    } catch (e) {
      bad++;
      console.error(`${name} PyTorch: ${(e as Error).message}`);
    }
    const row = `| ${name} | ${onnx} | ${torch} | ${((performance.now() - t0) / 1000).toFixed(0)} |`;
    console.log(row);
  }
  console.log(bad ? `${bad} check(s) over ${TOL} or failed` : `all ${chosen.length} within ${TOL}`);
  process.exitCode = bad ? 1 : 0;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
