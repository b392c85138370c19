// Training speed against the anchor, PyTorch on the CPU, side by side in one run (issue 18). For
// LeNet-5, VGG-mini and the transformer classifier: PyTorch (Debian's python3-torch) running the
// project's own PyTorch export of the template, and tfjs' WASM backend with the project's kernels
// in Node and in headless Chromium — the same batch (32), the same optimizer (Adam), the same loss,
// random data of the template's shapes. PyTorch at the thread count tfjs-WASM uses (1 in Node; in
// the browser 1 unless the page is cross-origin isolated) and at 2 threads (the machine's cores).
// Then LeNet-5 per backend in the browser: ms per step and the time one epoch of the bundled MNIST
// training split (7,650 images, 240 batches) takes at that rate, and what Auto picks.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../src/core/compile';
import type { GraphDoc } from '../src/core/graph';
import { generatePytorch } from '../src/pytorch';
import { bridgeWasmKernels } from '../src/train/wasmKernels';
import { launch, serve } from '../e2e/harness';
import { timeTrainingSteps } from './stepTimer';
import type { BenchSection } from './types';

const TEMPLATES = ['lenet5', 'vgg-mini', 'transformer-classifier'];
const BATCH = 32;
const STEPS = 10;

const PY = String.raw`
import json, sys, time, torch
import torch.nn.functional as F
sys.path.insert(0, sys.argv[1])
torch.set_num_threads(int(sys.argv[2]))
torch.manual_seed(1)
from model import Model
m = Model().train()
opt = torch.optim.Adam(m.parameters(), lr=1e-3, eps=1e-7)
spec = json.loads(sys.argv[3])
xs = [torch.randint(0, 12, [spec['batch']] + s) if d == 'int32' else torch.rand([spec['batch']] + s) for s, d in zip(spec['shapes'], spec['dtypes'])]
y = torch.randint(0, spec['classes'], [spec['batch']] + spec['labels'])
def step():
    opt.zero_grad()
    p = m(*xs)
    # the graph ends in a softmax: cross-entropy on its log, channels last as in tfjs
    loss = F.nll_loss(torch.log(p.clamp_min(1e-7)).reshape(-1, spec['classes']), y.reshape(-1))
    loss.backward()
    opt.step()
    return loss.item()
step(); step()
t0 = time.perf_counter()
for _ in range(spec['steps']): step()
print(json.dumps({'ms': (time.perf_counter() - t0) * 1000 / spec['steps']}))
`;

function torchMs(doc: GraphDoc, threads: number): number {
  const c = compile(doc, { seed: 1 });
  const gen = generatePytorch(c, doc);
  const dir = mkdtempSync(join(tmpdir(), 'nb-vs-torch-'));
  writeFileSync(join(dir, 'model.py'), gen.files['model.py']);
  const a = c.analysis;
  const out = a.nodes.get(a.outputs[0]!.node)!.outputShapes![a.outputs[0]!.port]!.slice(1) as number[];
  const spec = {
    batch: BATCH,
    steps: STEPS,
    shapes: a.inputs.map((id) => a.nodes.get(id)!.outputShapes!.out!.slice(1)),
    dtypes: a.inputs.map((id) => a.nodes.get(id)!.outputDtypes?.out ?? 'float32'),
    classes: out[out.length - 1],
    labels: out.slice(0, -1),
  };
  c.model.dispose();
  const py = join(dir, 'time_steps.py');
  writeFileSync(py, PY);
  const res = execFileSync('/usr/bin/python3', [py, dir, String(threads), JSON.stringify(spec)], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: String(threads) } });
  return (JSON.parse(res.trim().split('\n').pop()!) as { ms: number }).ms;
}

const exs = (ms: number) => (BATCH * 1000) / ms;

export async function benchVsTorch(): Promise<BenchSection> {
  const docs = Object.fromEntries(TEMPLATES.map((n) => [n, JSON.parse(readFileSync(`templates/${n}.json`, 'utf8')) as GraphDoc]));
  await tf.setBackend('wasm');
  bridgeWasmKernels();
  const node: Record<string, number> = {};
  for (const n of TEMPLATES) node[n] = await timeTrainingSteps(docs[n]!, BATCH, STEPS);
  await tf.setBackend('cpu');
  const torch1: Record<string, number> = {};
  const torch2: Record<string, number> = {};
  for (const n of TEMPLATES) {
    torch1[n] = torchMs(docs[n]!, 1);
    torch2[n] = torchMs(docs[n]!, 2);
  }
  // The browser: the same module through the Vite dev server, WASM first, then LeNet-5 per backend.
  const server = await serve('dev');
  const browser = await launch();
  let page;
  const chromium: Record<string, number> = {};
  const lenetPer: { backend: string; ms?: number; error?: string }[] = [];
  let wasmHow = '';
  let isolated = false;
  try {
    page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => (window as { __nb?: { ready: boolean } }).__nb?.ready, null, { timeout: 300_000 });
    const inPage = (backend: string, doc: GraphDoc, steps: number) =>
      page!.evaluate(
        async ({ backend, doc, batch, steps }: { backend: string; doc: GraphDoc; batch: number; steps: number }) => {
          const paths = ['/src/train/backends.ts', '/bench/stepTimer.ts'];
          const b = (await import(/* @vite-ignore */ paths[0]!)) as typeof import('../src/train/backends');
          const t = (await import(/* @vite-ignore */ paths[1]!)) as typeof import('./stepTimer');
          const info = await b.initBackend(backend as never);
          if (info.name !== backend) return { error: `${backend} did not start: ${info.summary}` };
          return { ms: await t.timeTrainingSteps(doc, batch, steps), how: info.adapter, isolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true };
        },
        { backend, doc, batch: BATCH, steps },
      );
    // Untimed first: the browser compiles WASM with its baseline compiler and tiers it up in the
    // background during the first seconds, so the first template timed ran ~1.5× slower than the
    // same steps a minute later (1,610 vs 2,393 ex/s for LeNet-5 in one run, 2026-12-02).
    await inPage('wasm', docs.lenet5!, 30);
    for (const n of TEMPLATES) {
      const r = await inPage('wasm', docs[n]!, STEPS);
      if (r.ms !== undefined) chromium[n] = r.ms;
      wasmHow = r.how ?? wasmHow;
      isolated = !!r.isolated;
    }
    for (const b of ['wasm', 'webgl', 'webgpu', 'cpu']) {
      const r = await inPage(b, docs.lenet5!, b === 'webgpu' || b === 'cpu' ? 2 : STEPS).catch((e: Error) => ({ error: e.message, ms: undefined }));
      lenetPer.push({ backend: b, ms: r.ms, error: 'error' in r ? r.error : undefined });
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const rows = TEMPLATES.map((n) => {
    const same = isolated ? torch2[n]! : torch1[n]!;
    return [n, exs(torch1[n]!).toFixed(0), exs(torch2[n]!).toFixed(0), exs(node[n]!).toFixed(0), (torch1[n]! / node[n]!).toFixed(2), chromium[n] ? exs(chromium[n]!).toFixed(0) : '—', chromium[n] ? (same / chromium[n]!).toFixed(2) : '—'];
  });
  const epochBatches = Math.ceil(7650 / BATCH);
  const lenetRows = lenetPer.map((r) => [r.backend, r.ms?.toFixed(1) ?? r.error ?? '—', r.ms ? exs(r.ms).toFixed(0) : '—', r.ms ? ((r.ms * epochBatches) / 1000).toFixed(0) : '—']);
  const targets = TEMPLATES.map((n) => ({ what: `${n}: tfjs WASM in Node ≥ 1/3 of PyTorch's examples/s at the same thread count`, met: torch1[n]! / node[n]! >= 1 / 3, detail: `${(torch1[n]! / node[n]!).toFixed(2)}×` }));
  return {
    name: 'vsTorch',
    title: 'Training speed vs PyTorch on the CPU (examples/s, batch 32, Adam)',
    method: `Each template's PyTorch export (model.py from src/pytorch) trained by Debian's torch (/usr/bin/python3) ${STEPS} steps after 2 warm-up steps with torch.set_num_threads(1) and (2); tfjs WASM with src/train/wasmKernels.ts in Node (1 thread) and in headless Chromium (${wasmHow || 'WASM'}; cross-origin isolated: ${isolated}), the same module (bench/stepTimer.ts). Ratios are tfjs / PyTorch at the same thread count. Then LeNet-5 per backend in Chromium: ms per step, and one epoch of 7,650 images (${epochBatches} batches) at that rate.`,
    table: { columns: ['template', 'PyTorch 1 thread ex/s', 'PyTorch 2 threads ex/s', 'tfjs WASM Node ex/s', 'Node / PyTorch (1 thread)', 'tfjs WASM Chromium ex/s', 'Chromium / PyTorch (same threads)'], rows },
    targets,
    notes: [
      `LeNet-5 in headless Chromium per backend — ${lenetRows.map((r) => `${r[0]}: ${r[1]} ms/step, ${r[2]} ex/s, one epoch ≈ ${r[3]} s`).join('; ')}.`,
      'Auto (src/train/autoChoice.ts) picks the backend with the fastest measured step on the model; here that is WASM whenever WebGPU and WebGL are software (SwiftShader).',
    ],
    data: { torch1, torch2, node, chromium, lenetPer, isolated, wasmHow },
  };
}
