// Training in the browser (issue 5): a LeNet-like graph trains on an MNIST subset in the worker,
// reaches ≥ 90% test accuracy, shows its curves and confusion matrix, exports to ONNX and runs in
// onnxruntime-web within 1e-4 of tfjs — on WebGPU (Chromium's SwiftShader adapter headless), and
// the same flow forced onto WebGL and onto CPU. The WebGPU run also loses its device mid-training
// on purpose and must resume on WebGL from the last weight snapshot; a reload restores the weights.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { eventually, type E2ETest } from './lib';

// The graph and its training config (Adam at 0.01 on a cosine schedule, seed 1) live in a file so
// scripts/train-more-check.ts can measure the same run over many seeds.
const LENET = JSON.parse(readFileSync('e2e/fixtures/lenet-small.json', 'utf8')) as { nodes: { id: string; params: object }[] };

const T = (id: string) => `[data-testid="${id}"]`;

async function openTrain(page: Page, url: string, graph: object = LENET) {
  await page.goto(url);
  await page.waitForFunction(() => window.__nb?.ready, null, { timeout: 120_000 });
  await page.evaluate((g) => window.__nb!.commit(g as never), graph);
  await page.locator(T('tab-train')).click();
  await page.locator(T('train-panel')).waitFor({ timeout: 30_000 });
}

async function pickBackend(page: Page, backend: 'webgpu' | 'webgl' | 'cpu' | 'auto', expect: string) {
  if (backend !== 'auto') await page.locator(T('backend-select')).selectOption(backend);
  await eventually(async () => assert.equal(await page.locator(T('backend-indicator')).innerText(), expect), 60_000, `backend ${expect}`);
}

interface Timing {
  train: number;
  total: number;
}

/** Trains, checks the results, exports ONNX and compares in onnxruntime-web. Returns seconds. */
async function trainAndCheck(page: Page, shot: (n: string) => Promise<void>, tag: string, during?: () => Promise<void>): Promise<Timing> {
  const t0 = Date.now();
  const facts = await eventually(async () => {
    const t = await page.locator(T('data-facts')).innerText();
    assert.match(t, /inputs\s+\[28, 28, 1\] float32/);
    return t;
  }, 120_000, 'MNIST subset loaded');
  const nTest = Number(/test\s+(\d+)/.exec(facts)![1]);
  assert.ok(nTest > 420 && nTest < 480, `about 15% of 3000 examples are the test set (${nTest})`);
  await page.locator(T('fit-ok')).waitFor({ timeout: 10_000 });
  await page.locator(T('data-preview')).waitFor();
  const tStart = Date.now();
  await page.locator(T('train-start')).click();
  await page.locator(T('loss-chart')).waitFor({ timeout: 120_000 });
  if (during) await during();
  await page.locator(T('test-accuracy')).waitFor({ timeout: 900_000 });
  const trainSecs = (Date.now() - tStart) / 1000;
  const acc = parseFloat(await page.locator(T('test-accuracy')).innerText());
  // Seeds 1–10 of this graph and config: 91.1–95.8% on WASM (seed 1, the one used: 94.9%).
  assert.ok(acc >= 90, `test accuracy ${acc}% should be ≥ 90%`);
  // The charts have per-batch and per-epoch lines with real points.
  const pts = await page.locator(`${T('loss-chart')} polyline`).first().getAttribute('points');
  assert.ok((pts ?? '').split(' ').length >= 20, `loss chart has per-batch points (${(pts ?? '').split(' ').length})`);
  assert.ok((await page.locator(`${T('acc-chart')} circle`).count()) >= 3, 'per-epoch accuracy points');
  const cells = await page.locator(`${T('confusion-matrix')} td`).allInnerTexts();
  assert.equal(cells.length, 100, 'a 10×10 confusion matrix');
  assert.equal(cells.reduce((s, c) => s + (Number(c) || 0), 0), nTest, 'the matrix counts every test example');
  await shot(`train-${tag}-1-trained`);

  // Export ONNX: a real download of a non-trivial .onnx file.
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.locator(T('export-onnx')).click()]);
  assert.match(dl.suggestedFilename(), /\.onnx$/);
  const size = (await dl.createReadStream().then(async (s) => {
    let n = 0;
    for await (const c of s) n += (c as Buffer).length;
    return n;
  })) as number;
  assert.ok(size > 20_000, `ONNX file has the weights (${size} bytes)`);

  // Run in onnxruntime-web and compare with tfjs.
  await page.locator(T('run-ort')).click();
  await page.locator(T('ort-diff')).waitFor({ timeout: 120_000 });
  const diff = Number(await page.locator(T('ort-diff')).innerText());
  assert.ok(diff <= 1e-4, `ORT vs tfjs difference ${diff} should be ≤ 1e-4`);
  await page.locator(T('ort-result')).scrollIntoViewIfNeeded();
  await shot(`train-${tag}-2-onnx`);
  return { train: trainSecs, total: (Date.now() - t0) / 1000 };
}

const timings: Record<string, Timing> = {};

/**
 * The LeNet-5 template (tanh, average pooling, as in the lecture) on the full MNIST (`mnist-full`:
 * the official 60,000 training digits, of which the panel's 10% validation split leaves 54,000, and
 * the 10,000 test digits), with the template's own training settings (Adam at 0.002, batch 64,
 * ±2 px shifts, cosine schedule) set to ONE epoch: what a user does is pick the data set and set
 * 1 epoch. On the bundled 7,650-digit `mnist` one epoch cannot reach 95% (PyTorch: 90.7%,
 * scripts/lenet-torch-reference.ts); 54,000 digits can: `neural-blocks train templates/lenet5.json
 * --data mnist-full --epochs 1` (tfjs WASM in Node, seed 1) gives 97.07% in 43 s; this test measured
 * 97.1% twice in headless Chromium (Auto → WASM, 48 s and 41 s from the click to the test accuracy,
 * the choice included; 6–9 s before that to open the page and load the 11.7 MB of data).
 */
const LENET5_RUN = { dataset: 'mnist-full', epochs: 1 };

export const tests: E2ETest[] = [
  {
    name: 'train with Auto: on software WebGPU and WebGL it measures, picks WASM and says why; LeNet-5 trains one epoch of the full MNIST (60,000 digits) to ≥ 95%',
    async fn({ page, url, shot }) {
      // The LeNet-5 template, as a user opens it, set to the full MNIST and 1 epoch (LENET5_RUN).
      const lenet5 = JSON.parse(readFileSync('templates/lenet5.json', 'utf8')) as { training: object };
      const tOpen = Date.now();
      await openTrain(page, url, { ...lenet5, training: { ...lenet5.training, ...LENET5_RUN } });
      assert.equal(await page.locator(T('backend-select')).inputValue(), 'auto');
      const facts = await eventually(async () => {
        const t = await page.locator(T('data-facts')).innerText();
        assert.match(t, /train\s+54,?000\s+validation\s+6,?000\s+test\s+10,?000/);
        return t;
      }, 180_000, 'the full MNIST loaded');
      const loadSecs = (Date.now() - tOpen) / 1000;
      const nTest = Number(/test\s+([\d,]+)/.exec(facts)![1]!.replace(',', ''));
      await page.locator(T('fit-ok')).waitFor({ timeout: 10_000 });
      // ▶ Train is in view without scrolling on a 1440×900 screen (it sat below 14 fields before).
      await page.setViewportSize({ width: 1440, height: 900 });
      await page.locator(T('train-panel')).evaluate((el) => el.scrollTo(0, 0));
      const box = await page.locator(T('train-start')).boundingBox();
      assert.ok(box && box.y >= 0 && box.y + box.height <= 900, `▶ Train in view at 1440×900 (${JSON.stringify(box)})`);
      const t0 = Date.now();
      await page.locator(T('train-start')).click();
      // Auto times the backends on this model; headless Chromium here has SwiftShader for both GPUs.
      const summary = await eventually(async () => {
        const t = await page.locator(T('backend-summary')).innerText();
        assert.match(t, /^WASM, chosen automatically: [\d.,]+ ms a training step — /);
        return t;
      }, 180_000, 'the automatic choice');
      assert.match(summary, /WebGPU here is a software emulation \(.*swiftshader.*\): WASM is (≥ )?[\d.]+× faster for this model/i);
      assert.match(summary, /WebGL here is a software emulation \(.*SwiftShader.*\): WASM is (≥ )?[\d.]+× faster for this model/);
      assert.equal(await page.locator(T('backend-indicator')).innerText(), 'WASM');
      // The dev and preview servers make the page cross-origin isolated: WASM runs one thread per
      // core, from the production build too (its minified pthread workers once died at start).
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      if (cores > 1) assert.match(summary, new RegExp(`\\[WASM: SIMD, ${cores} threads\\]`), 'WASM on every core');
      await page.locator(T('test-accuracy')).waitFor({ timeout: 1_200_000 });
      const secs = (Date.now() - t0) / 1000;
      const acc = parseFloat(await page.locator(T('test-accuracy')).innerText());
      assert.ok(acc >= 95, `LeNet-5 after 1 epoch of the full MNIST on WASM: ${acc}% ≥ 95% (97.07% in Node)`);
      const cells = await page.locator(`${T('confusion-matrix')} td`).allInnerTexts();
      assert.equal(cells.reduce((s, c) => s + (Number(c) || 0), 0), nTest, 'the matrix counts every test example');
      console.log(`  Auto: ${summary}\n  LeNet-5, 1 epoch of ${facts.match(/train\s+[\d,]+/)?.[0]}: ${acc}% in ${secs.toFixed(0)} s (choice included; opening the page and loading the data before: ${loadSecs.toFixed(0)} s)`);
      await page.locator(T('backend-summary')).scrollIntoViewIfNeeded();
      await shot('train-auto-wasm-lenet5');
    },
  },
  {
    name: 'train forced onto WebGPU: MNIST ≥ 90%, charts, confusion matrix, ONNX in onnxruntime-web; a lost device resumes on WebGL',
    async fn({ page, url, shot }) {
      await openTrain(page, url);
      await pickBackend(page, 'webgpu', 'WebGPU');
      assert.match(await page.locator(T('backend-summary')).innerText(), /^WebGPU \(.+\), as chosen$/);
      timings.webgpu = await trainAndCheck(page, shot, 'webgpu');
      const acc1 = parseFloat(await page.locator(T('test-accuracy')).innerText());

      // Train more, and lose the GPU device part-way (as a driver reset would): the run resumes on
      // WebGL from the last snapshot (weights and Adam's state), says so, and finishes. Train more
      // continues the training (the optimizer's state and the cosine schedule's last rate), so the
      // model does not get worse: over seeds 1–10 of this graph and config one more continued epoch
      // changed test accuracy by −0.67 to +0.67 points (seed 1: +0.67), where the old restart (a
      // fresh optimizer at the peak rate) changed it by −3.77 to +0.67 (seed 1: −2.88)
      // (npx tsx scripts/train-more-check.ts e2e/fixtures/lenet-small.json --seeds 1,…,10).
      await page.locator(T('train-more-epochs')).fill('1');
      assert.equal(await page.locator(T('train-more-restart')).isChecked(), false, 'Train more continues by default');
      await page.locator(T('train-more')).click();
      await eventually(async () => {
        const m = /epoch (\d+) · batch (\d+)\//.exec(await page.locator(T('train-progress')).innerText());
        assert.ok(m && Number(m[1]) === 5 && Number(m[2]) >= 5, `5th epoch under way (${m?.[0]})`);
      }, 300_000, 'train more under way on WebGPU');
      await page.evaluate(() => (window as unknown as { __nbTrain: { loseDevice(): void } }).__nbTrain.loseDevice());
      await eventually(async () => {
        const note = await page.locator(T('backend-fallback')).innerText();
        assert.match(note, /The WebGPU device was lost \(.+\); training resumed on WebGL from the weights saved at epoch 5, batch \d+\./);
      }, 120_000, 'the fallback note');
      assert.equal(await page.locator(T('backend-indicator')).innerText(), 'WebGL');
      assert.match(await page.locator(T('backend-summary')).innerText(), /resumed here after the WebGPU device was lost/);
      await eventually(async () => assert.match(await page.locator(T('train-progress')).innerText(), /epoch 5 · batch (\d+)\/\1[\s\S]*done/), 600_000, 'the resumed run finishes');
      // "done" shows once the run's results (test accuracy included) have arrived.
      const acc2 = parseFloat(await page.locator(T('test-accuracy')).innerText());
      assert.ok(acc2 >= acc1 - 1, `test accuracy after the resumed Train more epoch ${acc2}% (before ${acc1}%): Train more must not make the model worse`);
      await page.locator(T('backend-fallback')).scrollIntoViewIfNeeded();
      await shot('train-webgpu-3-device-lost');
    },
  },
  {
    name: 'train forced onto WebGL: same flow; try it; reload restores',
    async fn({ page, url, shot }) {
      await openTrain(page, url);
      await pickBackend(page, 'webgl', 'WebGL');
      timings.webgl = await trainAndCheck(page, shot, 'webgl');

      // Try it: pick a test image → class probabilities, first-layer filters and activations.
      await page.locator(T('pick-0')).click();
      await page.locator(T('prediction-bars')).waitFor({ timeout: 20_000 });
      assert.equal(await page.locator(`${T('conv-filters')} canvas`).count(), 8);
      assert.equal(await page.locator(`${T('conv-activations')} canvas`).count(), 8);
      await page.locator(T('try-it')).scrollIntoViewIfNeeded();
      await shot('train-webgl-3-try-it');

      // Reload: the weights come back from IndexedDB and still predict.
      await page.waitForTimeout(500);
      await page.reload();
      await page.waitForFunction(() => window.__nb?.ready, null, { timeout: 60_000 });
      await page.locator(T('tab-train')).click();
      await eventually(async () => assert.match(await page.locator(T('weights-note')).innerText(), /restored/), 60_000, 'weights restored after reload');
      await page.locator(T('pick-1')).click({ timeout: 60_000 });
      await page.locator(T('prediction-bars')).waitFor({ timeout: 20_000 });
      await shot('train-webgl-4-restored');
    },
  },
  {
    name: 'train forced onto CPU: same flow; a data mismatch names the node',
    async fn({ page, url, shot }) {
      // First a graph whose output does not fit MNIST: the message names the node and the fix.
      const bad = { ...LENET, nodes: LENET.nodes.map((n) => (n.id === 'out' ? { ...n, params: { units: 7, activation: 'softmax' } } : n)) };
      await openTrain(page, url, bad);
      await pickBackend(page, 'cpu', 'CPU');
      await eventually(async () => assert.match(await page.locator(T('fit-issues')).innerText(), /output "out" gives \[7\] but MNIST digits needs \[10\].*set its units to 10/), 120_000, 'fit message');
      assert.ok(await page.locator(T('train-start')).isDisabled(), 'Train is disabled while the data does not fit');
      await page.locator(`${T('fit-issues')} button`).first().click();
      assert.deepEqual(await page.evaluate(() => [...window.__nb!.getState().selectedNodes]), ['out']);
      await shot('train-cpu-0-fit-error');
      await page.evaluate((g) => window.__nb!.commit(g as never), LENET);
      timings.cpu = await trainAndCheck(page, shot, 'cpu');
      console.log(`  e2e training timings (s): ${JSON.stringify(timings)}`);
    },
  },
];
