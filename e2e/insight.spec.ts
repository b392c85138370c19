// Seeing why a network trains (issue 17), in the browser: the gradient-flow chart and the canvas
// heat strips of a 10-layer sigmoid MLP flag its first block as vanishing; a block frozen in the
// inspector shows a lock and keeps its weights bit-identical through training.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { eventually, type E2ETest } from './lib';
import type { GraphDoc } from '../src/core/graph';

const T = (id: string) => `[data-testid="${id}"]`;

function mlp(depth: number, activation: string, training: Record<string, unknown>): GraphDoc {
  const ids = ['x', ...Array.from({ length: depth }, (_, i) => `dense_${i + 1}`), 'out'];
  return {
    format: 'neural-blocks.graph',
    version: 1,
    name: `mlp-${depth}-${activation}`,
    nodes: [
      { id: 'x', type: 'Input', params: { shape: [2] }, position: { x: 0, y: 0 } },
      ...ids.slice(1, -1).map((id, i) => ({ id, type: 'Dense', params: { units: 16, activation }, position: { x: 220 * (i + 1), y: 0 } })),
      { id: 'out', type: 'Dense', params: { units: 2, activation: 'softmax' }, position: { x: 220 * (depth + 1), y: 0 } },
    ],
    edges: ids.slice(1).map((t, i) => ({ source: ids[i]!, target: t })),
    training: { dataset: 'circles', limit: 400, optimizer: 'sgd', learningRate: 0.1, batchSize: 32, epochs: 2, validationSplit: 0, ...training },
  };
}

async function open(page: Page, url: string, g: GraphDoc) {
  await page.goto(url);
  await page.waitForFunction(() => window.__nb?.ready, null, { timeout: 120_000 });
  await page.evaluate((d) => window.__nb!.commit(d as never), g);
  await page.locator(T('tab-train')).click();
  await page.locator(T('train-panel')).waitFor({ timeout: 30_000 });
  await page.locator(T('fit-ok')).waitFor({ timeout: 60_000 });
}

/** Clicks a train button and waits for the worker's 'done' (the progress line keeps saying "done" from the last run). */
async function trainToEnd(page: Page, button = 'train-start') {
  await page.evaluate(() => {
    const w = window as unknown as { __nbTrain: { on(l: (e: { t: string; message?: string }) => void): () => void }; __insightDone?: Promise<string> };
    w.__insightDone = new Promise((res) => {
      const off = w.__nbTrain.on((e) => {
        if (e.t === 'done' || e.t === 'error' || e.t === 'fit') {
          off();
          res(e.t === 'error' ? `error: ${e.message}` : e.t);
        }
      });
    });
  });
  await page.locator(T(button)).click();
  assert.equal(await page.evaluate(() => (window as unknown as { __insightDone: Promise<string> }).__insightDone), 'done');
}

/** A block's weights as the worker holds them, as raw bytes (bit-identical means equal bytes). */
async function weightBytes(page: Page, layer: string): Promise<number[]> {
  return page.evaluate(async (name) => {
    const c = (window as unknown as { __nbTrain: { getWeights(): Promise<{ modelJson: { weightsManifest: { weights: { name: string; shape: number[] }[] }[] }; weights: ArrayBuffer }> } }).__nbTrain;
    const w = await c.getWeights();
    const bytes = new Uint8Array(w.weights);
    const out: number[] = [];
    let off = 0;
    for (const s of w.modelJson.weightsManifest[0]!.weights) {
      const n = 4 * s.shape.reduce((a, b) => a * b, 1);
      if (s.name.startsWith(`${name}/`)) out.push(...bytes.slice(off, off + n));
      off += n;
    }
    return out;
  }, layer);
}

export const tests: E2ETest[] = [
  {
    name: 'insight: experiment 1 runs its three variants, overlays them and flags the sigmoid network\'s first block as vanishing',
    async fn({ page, url, shot }) {
      await page.goto(url);
      await page.waitForFunction(() => window.__nb?.ready, null, { timeout: 120_000 });
      await page.locator(T('tab-train')).click();
      // tfjs' CPU backend: these small MLPs train faster there than on headless WebGPU (SwiftShader)
      await page.locator(T('backend-select')).selectOption('cpu');
      await eventually(async () => assert.equal(await page.locator(T('backend-indicator')).innerText(), 'CPU'), 60_000, 'CPU backend');
      await page.locator(T('experiments-toggle')).click();
      const card = page.locator(T('experiment-vanishing'));
      // the card states the result measured with scripts/measure-experiments.ts
      assert.match(await card.locator(T('experiment-measured')).innerText(), /sigmoid\s+2\.6e-6 \(10⁻⁶\)\s+10\.4%/);
      await page.locator(T('run-experiment-vanishing')).click();
      // while the sigmoid variant trains: its first block is flagged, on the panel and on the canvas
      await eventually(async () => assert.equal(await page.locator(`${T('gradflow-flag')}[data-node="dense_1"]`).getAttribute('data-kind', { timeout: 200 }), 'vanishing'), 300_000, 'dense_1 flagged vanishing');
      assert.equal(await page.locator(T('heat-dense_1')).getAttribute('data-flag'), 'vanishing');
      await shot('insight-3-experiment-sigmoid');
      // all three variants end up overlaid, with their results in the browser column
      const overlay = page.locator(T('experiment-overlay-vanishing'));
      await eventually(async () => assert.equal(await overlay.locator(`${T('experiment-loss')} g[data-series]`).count(), 3), 900_000, 'three runs overlaid');
      assert.deepEqual(await overlay.locator(`${T('experiment-loss')} g[data-series]`).evaluateAll((gs) => gs.map((g) => g.getAttribute('data-series'))), ['sigmoid', 'ReLU + He', 'sigmoid + batch norm']);
      const browser = await card.locator(T('experiment-browser')).allInnerTexts();
      const acc = browser.map((t) => parseFloat(t));
      assert.ok(acc[0]! < 20, `the sigmoid network stays near chance (${browser[0]})`);
      assert.ok(acc[1]! > 50 && acc[2]! > 50, `ReLU + He and batch norm learn (${browser.join(' | ')})`);
      assert.match(browser[0]!, /10⁻[⁰¹²³⁴⁵⁶⁷⁸⁹]+/, 'the sigmoid first/last gradient ratio is a tiny power of ten');
      await overlay.scrollIntoViewIfNeeded();
      await shot('insight-4-experiment-overlay');
    },
  },
  {
    name: 'insight: gradient flow flags the first block of a 10-layer sigmoid MLP as vanishing, on the chart and on the canvas',
    async fn({ page, url, shot }) {
      await open(page, url, mlp(10, 'sigmoid', {}));
      await trainToEnd(page);
      await page.locator(T('gradflow')).scrollIntoViewIfNeeded();
      // one line per block with weights (10 hidden + the output), each with several samples
      assert.equal(await page.locator(`${T('gradflow-chart')} polyline`).count(), 11);
      assert.ok(Number(await page.locator(`${T('gradflow-chart')} polyline[data-series="dense_1"]`).getAttribute('data-n')) >= 4);
      const flag = page.locator(`${T('gradflow-flag')}[data-node="dense_1"]`);
      assert.equal(await flag.getAttribute('data-kind'), 'vanishing');
      assert.match(await flag.innerText(), /dense_1's gradients are 10⁻[⁰¹²³⁴⁵⁶⁷⁸⁹]+ of (out|dense_\d+)'s/);
      // the canvas heat strips: dense_1 cold and flagged, the strongest block at 0
      assert.equal(await page.locator(T('heat-dense_1')).getAttribute('data-flag'), 'vanishing');
      assert.ok(Number(await page.locator(T('heat-dense_1')).getAttribute('data-rel')) < -3);
      await shot('insight-1-gradflow');
    },
  },
  {
    name: 'insight: a block frozen in the inspector keeps its weights bit-identical through training',
    async fn({ page, url, shot }) {
      await open(page, url, mlp(2, 'relu', { optimizer: 'adam', learningRate: 0.01, epochs: 1 }));
      await trainToEnd(page);
      // freeze dense_1 in the inspector: the lock shows on the block and the summary counts it
      await page.locator(T('node-dense_1')).click();
      await page.locator(T('tab-inspector')).click();
      await page.locator(T('field-trainable')).uncheck();
      await page.locator(`${T('node-dense_1')} ${T('frozen-badge')}`).waitFor();
      assert.equal(await page.evaluate(() => window.__nb!.getState().doc.nodes.find((n) => n.id === 'dense_1')!.trainable), false);
      await page.locator(T('tab-summary')).click();
      assert.match(await page.locator(T('frozen-params')).innerText(), /\(48 frozen\)/);
      // the row says so in words with a drawn lock (the 🔒 emoji was a blank box without an emoji font)
      assert.equal(await page.locator(T('summary-frozen')).count(), 1);
      assert.equal((await page.locator(T('summary-frozen')).innerText()).trim(), 'frozen');
      assert.equal(await page.locator(`${T('summary-frozen')} svg`).count(), 1);
      await shot('insight-2a-summary-frozen');
      // train again from the graph as it is now (dense_1 frozen), then once more
      await page.locator(T('tab-train')).click();
      await trainToEnd(page);
      const frozen1 = await weightBytes(page, 'dense_1');
      const other1 = await weightBytes(page, 'dense_2');
      await trainToEnd(page, 'train-more');
      assert.ok(frozen1.length === 48 * 4, `dense_1 has 48 weights (${frozen1.length / 4})`);
      assert.deepEqual(await weightBytes(page, 'dense_1'), frozen1, 'the frozen block is bit-identical');
      assert.notDeepEqual(await weightBytes(page, 'dense_2'), other1, 'the unfrozen block trained');
      await shot('insight-2-frozen');
      // The Runs view kept all three runs; the first two differ in the graph (dense_1 frozen)
      const rows = page.locator(`${T('runs-table')} tbody tr`);
      await eventually(async () => assert.equal(await rows.count(), 3), 10_000, 'three runs kept');
      await rows.nth(2).locator(T('run-pick')).check(); // newest first: the oldest run is last
      await rows.nth(1).locator(T('run-pick')).check();
      const fields = await page.locator(`${T('runs-diff')} tbody tr`).evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-field')));
      assert.ok(fields.includes('graphHash'), `the graph hash differs (${fields.join(', ')})`);
      assert.ok(!fields.includes('optimizer') && !fields.includes('dataset'), `same optimizer and data (${fields.join(', ')})`);
      assert.equal(await page.locator(`${T('runs-loss')} g[data-series]`).count(), 2, 'two runs overlaid');
      const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(T('runs-csv')).click()]);
      const csv = (await import('node:fs')).readFileSync((await dl.path())!, 'utf8').trim().split('\n');
      assert.equal(csv.length, 3, 'a header and the two picked runs');
      assert.match(csv[0]!, /^id,startedAt,label,graphHash,dataset,optimizer/);
      await page.locator(T('runs')).scrollIntoViewIfNeeded();
      await shot('insight-5-runs');
    },
  },
];
