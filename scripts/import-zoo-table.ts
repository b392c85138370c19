// The torchvision import table (issue 15): exports each named torchvision model with Debian's
// python3-torch (src/import/torch_zoo_models.py: random weights, BatchNorm statistics
// randomised), imports it op by op, runs the imported graph with its weights (tfjs, WASM) against
// onnxruntime-node on the original file, and prints one Markdown row per model and opset:
// imported or its blockers, trainable parameters vs torch's, max |difference|, import seconds.
//
//   npx tsx scripts/import-zoo-table.ts [--opset 13,17] [--preserve] [--dir DIR [--reuse]] [--no-run] [NAME…]
//
// Without names it runs one model of every torchvision 0.14 classification family (FAMILIES),
// Swin included (swin_t: its window attention and patch merging fused, their run-time padding,
// scale and mask arithmetic folded and checked; both opsets take about a minute).
//
// --reuse takes DIR's files from an earlier run instead of exporting again. --preserve exports with training=torch.onnx.TrainingMode.PRESERVE (BatchNorms kept; the
// parameter counts must then equal torch's). --no-run imports only (no comparison). Exit status 1
// when a model does not import or differs by more than 1e-4 × max(1, largest |output|). Heavy: run it with nice.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-node';
import { compareImported } from '../src/import/compare';
import { ImportError, importOnnx } from '../src/import/index';
import { readOnnx } from '../src/import/onnx/index';
import { groupUnsupported } from '../src/import/onnx/blockers';
import { onnxReader } from '../src/onnx/read';

const TOL = 1e-4;
/** One model per torchvision 0.14 classification family (issue 15's list). */
const FAMILIES = [
  'resnet18', 'resnext50_32x4d', 'wide_resnet50_2', 'vgg11', 'alexnet', 'squeezenet1_0', 'densenet121', 'googlenet', 'inception_v3',
  'mobilenet_v2', 'mobilenet_v3_small', 'mnasnet0_5', 'shufflenet_v2_x0_5', 'efficientnet_b0', 'efficientnet_v2_s', 'regnet_y_400mf',
  'convnext_tiny', 'vit_b_16', 'swin_t',
];
const PY = '/usr/bin/python3';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let opsets = [13, 17];
  let preserve = false;
  let run = true;
  let reuse = false;
  let dir = '';
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--opset') opsets = args[++i]!.split(',').map(Number);
    else if (a === '--preserve') preserve = true;
    else if (a === '--no-run') run = false;
    else if (a === '--reuse') reuse = true;
    else if (a === '--dir') dir = args[++i]!;
    else names.push(a);
  }
  if (!names.length) names.push(...FAMILIES);
  dir ||= mkdtempSync(join(tmpdir(), 'nb-zoo-'));
  const reader = onnxReader(readFileSync(new URL('../src/onnx/onnx.proto', import.meta.url), 'utf8'));
  await tf.setBackend('wasm');
  await tf.ready();
  let bad = 0;
  console.log('| model | opset | import | trainable params (imported / torch) | max abs diff (largest output) | import s |');
  console.log('|---|---|---|---|---|---|');
  for (const opset of opsets) {
    for (const name of names) {
      const file = join(dir, `${name}_o${opset}${preserve ? '_bn' : ''}.onnx`);
      const cached = reuse && existsSync(`${file}.json`) ? readFileSync(`${file}.json`, 'utf8') : undefined;
      const py = cached !== undefined ? { stdout: cached, stderr: '' } : spawnSync(PY, [new URL('../src/import/torch_zoo_models.py', import.meta.url).pathname, dir, String(opset), ...(preserve ? ['--preserve'] : []), name], { encoding: 'utf8', maxBuffer: 1 << 24 });
      const line = py.stdout.trim().split('\n').pop() ?? '';
      let info: { path: string; params?: number; error?: string };
      try {
        info = JSON.parse(line);
        if (!info.error) writeFileSync(`${file}.json`, line);
      } catch {
        bad++;
        console.log(`| ${name} | ${opset} | torch export failed: ${py.stderr.trim().split('\n').pop()} | | | |`);
        continue;
      }
      if (info.error) {
        bad++;
        console.log(`| ${name} | ${opset} | torch cannot export it: ${info.error} | | | |`);
        continue;
      }
      const bytes = new Uint8Array(readFileSync(info.path));
      const t0 = performance.now();
      let r;
      try {
        r = importOnnx(bytes, reader, { source: `${name}.onnx` });
      } catch (e) {
        if (!(e instanceof ImportError)) throw e;
        bad++;
        const groups = groupUnsupported(e.unsupported).map((gr) => `${gr.op} ×${gr.nodes.length}: ${gr.reasons[0]!.reason}`);
        console.log(`| ${name} | ${opset} | **blocked**: ${groups.join('; ').replace(/\|/g, '\\|')} | | | ${((performance.now() - t0) / 1000).toFixed(1)} |`);
        continue;
      }
      const secs = ((performance.now() - t0) / 1000).toFixed(1);
      const folded = r.report.notes.some((n) => /folded/.test(n)) ? ' (BatchNorm folded)' : '';
      if (!run) {
        console.log(`| ${name} | ${opset} | ${r.doc.nodes.length} blocks${folded} | — / ${info.params} | — | ${secs} |`);
        continue;
      }
      try {
        const c = await compareImported(bytes, readOnnx(bytes, reader), r, { ort: ort as never, batch: 1 });
        const out = c.outputs[0]!;
        if (!(c.maxAbsDiff <= TOL * Math.max(1, out.refMaxAbs))) bad++;
        const params = `${c.trainableParams.toLocaleString('en')} / ${info.params!.toLocaleString('en')}${c.trainableParams === info.params ? ' (equal)' : ''}`;
        console.log(`| ${name} | ${opset} | ${r.doc.nodes.length} blocks${folded} | ${params} | ${c.maxAbsDiff.toExponential(2)} (${out.refMaxAbs.toFixed(2)}) | ${secs} |`);
      } catch (e) {
        bad++;
        console.log(`| ${name} | ${opset} | imported, but the comparison failed: ${(e as Error).message.split('\n')[0]} | | | ${secs} |`);
      }
    }
  }
  process.exitCode = bad ? 1 : 0;
}

void main();
