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
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../src/core/compile';
import type { GraphDoc } from '../src/core/graph';
import { generatePytorch } from '../src/pytorch';
import { bridgeWasmKernels } from '../src/train/wasmKernels';
import { launch, serve } from '../e2e/harness';
import { makeStepper } from './stepTimer';
import { median } from '../src/train/loopBench';
import type { BenchSection } from './types';

const TEMPLATES = ['lenet5', 'vgg-mini', 'transformer-classifier'];
const BATCH = 32;
/** Timed steps per template in each round (each side), sized so a round is a few seconds. */
const STEPS: Record<string, number> = { lenet5: 20, 'vgg-mini': 10, 'transformer-classifier': 4 };
const ROUNDS = 7;

// A timing server: one process for the whole bench (importing torch takes seconds), each template
// loaded once; a request times `steps` steps at a thread count and answers with the mean ms.
const PY = String.raw`
import importlib.util, json, sys, time, torch
import torch.nn.functional as F
steppers = {}
def load(req):
    spec = req['spec']
    sys.path.insert(0, req['dir'])
    s = importlib.util.spec_from_file_location('model_' + str(len(steppers)), req['dir'] + '/model.py')
    mod = importlib.util.module_from_spec(s)
    s.loader.exec_module(mod)
    torch.manual_seed(1)
    m = mod.Model().train()
    opt = torch.optim.Adam(m.parameters(), lr=1e-3, eps=1e-7)
    xs = [torch.randint(0, 12, [spec['batch']] + sh) if d == 'int32' else torch.rand([spec['batch']] + sh) for sh, d in zip(spec['shapes'], spec['dtypes'])]
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
    return step
threads = None
for line in sys.stdin:
    req = json.loads(line)
    if req['name'] not in steppers:
        steppers[req['name']] = load(req)
    step = steppers[req['name']]
    if req['threads'] != threads:
        threads = req['threads']
        torch.set_num_threads(threads)
    step()  # untimed: the pool after a thread-count change, the caches after another model
    t0 = time.perf_counter()
    for _ in range(req['steps']): step()
    print(json.dumps({'ms': (time.perf_counter() - t0) * 1000 / req['steps']}), flush=True)
`;

/** The template's PyTorch export written to a temp dir, and the shapes the timing server needs. */
function torchJob(name: string, doc: GraphDoc) {
  const c = compile(doc, { seed: 1 });
  const gen = generatePytorch(c, doc);
  const dir = mkdtempSync(join(tmpdir(), 'nb-vs-torch-'));
  writeFileSync(join(dir, 'model.py'), gen.files['model.py']);
  const a = c.analysis;
  const out = a.nodes.get(a.outputs[0]!.node)!.outputShapes![a.outputs[0]!.port]!.slice(1) as number[];
  const spec = {
    batch: BATCH,
    shapes: a.inputs.map((id) => a.nodes.get(id)!.outputShapes!.out!.slice(1)),
    dtypes: a.inputs.map((id) => a.nodes.get(id)!.outputDtypes?.out ?? 'float32'),
    classes: out[out.length - 1],
    labels: out.slice(0, -1),
  };
  c.model.dispose();
  return { name, dir, spec };
}

/** The timing server: time(name, threads, steps) → mean ms per step. */
function torchServer() {
  const dir = mkdtempSync(join(tmpdir(), 'nb-vs-torch-'));
  const py = join(dir, 'time_steps.py');
  writeFileSync(py, PY);
  // OMP at 2 so that set_num_threads can choose 1 or 2 per request.
  const child = spawn('/usr/bin/python3', [py], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, OMP_NUM_THREADS: '2' } });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (l) => waiting.shift()?.(l));
  const jobs = new Map<string, ReturnType<typeof torchJob>>();
  return {
    add: (name: string, doc: GraphDoc) => jobs.set(name, torchJob(name, doc)),
    time: (name: string, threads: number, steps: number) =>
      new Promise<number>((resolve, reject) => {
        const onExit = () => reject(new Error(`PyTorch timing process ended: ${err.slice(-500)}`));
        child.once('exit', onExit);
        waiting.push((l) => {
          child.off('exit', onExit);
          resolve((JSON.parse(l) as { ms: number }).ms);
        });
        child.stdin.write(JSON.stringify({ ...jobs.get(name)!, threads, steps }) + '\n');
      }),
    close: () => child.kill(),
  };
}

const exs = (ms: number) => (BATCH * 1000) / ms;
const med = (xs: number[]) => median(xs);
const range = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;

interface Round {
  node: number;
  torch1: number;
  torch2: number;
  chromium?: number;
}

export async function benchVsTorch(): Promise<BenchSection> {
  const docs = Object.fromEntries(TEMPLATES.map((n) => [n, JSON.parse(readFileSync(`templates/${n}.json`, 'utf8')) as GraphDoc]));
  await tf.setBackend('wasm');
  bridgeWasmKernels();
  const torch = torchServer();
  for (const n of TEMPLATES) torch.add(n, docs[n]!);
  const rounds: Record<string, Round[]> = Object.fromEntries(TEMPLATES.map((n) => [n, []]));
  const server = await serve('dev');
  const browser = await launch();
  const lenetPer: { backend: string; ms?: number; error?: string }[] = [];
  let wasmHow = '';
  let isolated = false;
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => (window as { __nb?: { ready: boolean } }).__nb?.ready, null, { timeout: 300_000 });
    const paths = { backends: '/src/train/backends.ts', timer: '/bench/stepTimer.ts' };
    const start = await page.evaluate(async (paths) => {
      const b = (await import(/* @vite-ignore */ paths.backends)) as typeof import('../src/train/backends');
      const info = await b.initBackend('wasm');
      return { name: info.name, summary: info.summary, how: info.adapter, isolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true };
    }, paths);
    if (start.name !== 'wasm') throw new Error(`WASM did not start in Chromium: ${start.summary}`);
    wasmHow = start.how ?? 'WASM';
    isolated = start.isolated;
    const inPage = (name: string, steps: number) =>
      page.evaluate(
        async ({ paths, name, doc, batch, steps }) => {
          const t = (await import(/* @vite-ignore */ paths.timer)) as typeof import('./stepTimer');
          return t.timeHeld(name, doc, batch, steps);
        },
        { paths, name, doc: docs[name]!, batch: BATCH, steps },
      );
    // Untimed first: the browser compiles WASM with its baseline compiler and tiers it up in the
    // background during the first seconds, so the first template timed ran ~1.5× slower than the
    // same steps a minute later (1,610 vs 2,393 ex/s for LeNet-5 in one run, 2026-12-02).
    await inPage('lenet5', 30);
    const node = Object.fromEntries(await Promise.all(TEMPLATES.map(async (n) => [n, await makeStepper(docs[n]!, BATCH)] as const)));
    // Rounds: each tfjs measurement runs right next to the PyTorch one it is compared with, so both
    // see the same moment's machine (its speed drifts by ±30% here); the ratio is per round.
    for (let r = 0; r < ROUNDS; r++)
      for (const n of TEMPLATES) {
        const steps = STEPS[n]!;
        const nodeMs = await node[n]!.time(steps);
        const torch1 = await torch.time(n, 1, steps);
        const chromium = await inPage(n, steps);
        const torch2 = await torch.time(n, 2, steps);
        rounds[n]!.push({ node: nodeMs, torch1, torch2, chromium });
      }
    for (const s of Object.values(node)) s.dispose();
    await page.evaluate(async (paths) => ((await import(/* @vite-ignore */ paths.timer)) as typeof import('./stepTimer')).disposeHeld(), paths);
    // LeNet-5 per backend in the browser.
    for (const b of ['wasm', 'webgl', 'webgpu', 'cpu']) {
      const r = await page
        .evaluate(
          async ({ paths, backend, doc, batch, steps }) => {
            const bk = (await import(/* @vite-ignore */ paths.backends)) as typeof import('../src/train/backends');
            const t = (await import(/* @vite-ignore */ paths.timer)) as typeof import('./stepTimer');
            const info = await bk.initBackend(backend as never);
            if (info.name !== backend) return { error: `${backend} did not start: ${info.summary}` };
            return { ms: await t.timeTrainingSteps(doc, batch, steps) };
          },
          { paths, backend: b, doc: docs.lenet5!, batch: BATCH, steps: b === 'webgpu' || b === 'cpu' ? 2 : 10 },
        )
        .catch((e: Error) => ({ error: e.message }));
      lenetPer.push({ backend: b, ms: 'ms' in r ? r.ms : undefined, error: 'error' in r ? r.error : undefined });
    }
  } finally {
    torch.close();
    await browser.close();
    await server.close();
  }
  const sameThreads = (x: Round) => (isolated ? x.torch2 : x.torch1);
  const stats = TEMPLATES.map((n) => {
    const rs = rounds[n]!;
    const nodeRatios = rs.map((x) => x.torch1 / x.node);
    const chromiumRatios = rs.filter((x) => x.chromium !== undefined).map((x) => sameThreads(x) / x.chromium!);
    return {
      template: n,
      torch1: med(rs.map((x) => exs(x.torch1))),
      torch2: med(rs.map((x) => exs(x.torch2))),
      node: med(rs.map((x) => exs(x.node))),
      chromium: med(rs.filter((x) => x.chromium !== undefined).map((x) => exs(x.chromium!))),
      nodeRatios,
      chromiumRatios,
      nodeRatio: med(nodeRatios),
      chromiumRatio: med(chromiumRatios),
    };
  });
  const rows = stats.map((s) => [s.template, s.torch1.toFixed(0), s.torch2.toFixed(0), s.node.toFixed(0), `${s.nodeRatio.toFixed(2)} (${range(s.nodeRatios)})`, Number.isFinite(s.chromium) ? s.chromium.toFixed(0) : '—', s.chromiumRatios.length ? `${s.chromiumRatio.toFixed(2)} (${range(s.chromiumRatios)})` : '—']);
  const epochBatches = Math.ceil(7650 / BATCH);
  const lenetRows = lenetPer.map((r) => [r.backend, r.ms?.toFixed(1) ?? r.error ?? '—', r.ms ? exs(r.ms).toFixed(0) : '—', r.ms ? ((r.ms * epochBatches) / 1000).toFixed(0) : '—']);
  const target = (where: string, n: string, ratio: number) => ({ what: `${n}: tfjs WASM in ${where} ≥ 1/3 of PyTorch's examples/s at the same thread count (median of ${ROUNDS} rounds)`, met: ratio >= 1 / 3, detail: `${ratio.toFixed(2)}×` });
  return {
    name: 'vsTorch',
    title: 'Training speed vs PyTorch on the CPU (examples/s, batch 32, Adam)',
    method: `Each template's PyTorch export (model.py from src/pytorch) trained by Debian's torch (/usr/bin/python3, one process for the run) with torch.set_num_threads(1) and (2); tfjs WASM with src/train/wasmKernels.ts in Node (1 thread) and in headless Chromium (${wasmHow || 'WASM'}; cross-origin isolated: ${isolated}), the same module (bench/stepTimer.ts). ${ROUNDS} rounds; in each, per template (${TEMPLATES.map((n) => `${n} ${STEPS[n]} steps`).join(', ')}): tfjs in Node, PyTorch 1 thread, tfjs in Chromium, PyTorch 2 threads, one after another, so each tfjs time sits next to the PyTorch time it is compared with (this machine's speed drifts by ±30% between moments). Ratios are tfjs / PyTorch at the same thread count (Chromium: ${isolated ? '2 threads' : '1 thread'}) within a round; the table gives the median over rounds and the range. Examples/s are medians over rounds. Then LeNet-5 per backend in Chromium: ms per step, and one epoch of 7,650 images (${epochBatches} batches) at that rate.`,
    table: { columns: ['template', 'PyTorch 1 thread ex/s', 'PyTorch 2 threads ex/s', 'tfjs WASM Node ex/s', 'Node / PyTorch 1 thread: median (range)', 'tfjs WASM Chromium ex/s', `Chromium / PyTorch ${isolated ? '2 threads' : '1 thread'}: median (range)`], rows },
    targets: [...stats.map((s) => target('Node', s.template, s.nodeRatio)), ...stats.map((s) => target('Chromium', s.template, s.chromiumRatio))],
    notes: [
      `LeNet-5 in headless Chromium per backend — ${lenetRows.map((r) => `${r[0]}: ${r[1]} ms/step, ${r[2]} ex/s, one epoch ≈ ${r[3]} s`).join('; ')}.`,
      'Auto (src/train/autoChoice.ts) picks the backend with the fastest measured step on the model; here that is WASM whenever WebGPU and WebGL are software (SwiftShader).',
    ],
    data: { rounds, stats, lenetPer, isolated, wasmHow },
  };
}
