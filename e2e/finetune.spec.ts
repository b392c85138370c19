// Fine-tuning in the browser (issue 17): train a small model, start a fine-tune from that run in
// the Runs view, freeze all but the head in one click, replace the head, train on new data; the
// frozen blocks' weights are byte-for-byte the first run's, the head's are not, and the panel
// says the accuracy reached. Screenshots of the section at 1440×900 and 1280×720.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { ARTIFACTS, eventually, type E2ETest } from './lib';
import type { GraphDoc } from '../src/core/graph';

const T = (id: string) => `[data-testid="${id}"]`;
const SHOTS = process.env.NB_SHOTS_DIR ?? '/work/shots';

const base: GraphDoc = {
  format: 'neural-blocks.graph',
  version: 1,
  name: 'points-mlp',
  nodes: [
    { id: 'x', type: 'Input', params: { shape: [2] }, position: { x: 0, y: 0 } },
    { id: 'dense_1', type: 'Dense', params: { units: 16, activation: 'relu' }, position: { x: 220, y: 0 } },
    { id: 'dense_2', type: 'Dense', params: { units: 16, activation: 'relu' }, position: { x: 440, y: 0 } },
    { id: 'out', type: 'Dense', params: { units: 2, activation: 'softmax' }, position: { x: 660, y: 0 } },
  ],
  edges: [
    { source: 'x', target: 'dense_1' },
    { source: 'dense_1', target: 'dense_2' },
    { source: 'dense_2', target: 'out' },
  ],
  training: { dataset: 'circles', limit: 600, optimizer: 'adam', learningRate: 0.02, batchSize: 32, epochs: 4, validationSplit: 0, seed: 3 },
};

/** Resolves with the worker's next 'done' (or what stopped the run instead). */
async function armDone(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __nbTrain: { on(l: (e: { t: string; message?: string }) => void): () => void }; __ftDone?: Promise<string> };
    w.__ftDone = new Promise((res) => {
      const off = w.__nbTrain.on((e) => {
        if (e.t === 'done' || e.t === 'error' || e.t === 'fit') {
          off();
          res(e.t === 'error' ? `error: ${e.message}` : e.t);
        }
      });
    });
  });
}
const waitDone = (page: Page) => page.evaluate(() => (window as unknown as { __ftDone: Promise<string> }).__ftDone);

/** Every block's weights as the worker holds them, as raw bytes per block. */
async function blockBytes(page: Page): Promise<Record<string, number[]>> {
  return page.evaluate(async () => {
    const c = (window as unknown as { __nbTrain: { getWeights(): Promise<{ modelJson: { weightsManifest: { weights: { name: string; shape: number[] }[] }[] }; weights: ArrayBuffer }> } }).__nbTrain;
    const w = await c.getWeights();
    const bytes = new Uint8Array(w.weights);
    const out: Record<string, number[]> = {};
    let off = 0;
    for (const s of w.modelJson.weightsManifest[0]!.weights) {
      const n = 4 * s.shape.reduce((a, b) => a * b, 1);
      (out[s.name.split('/')[0]!] ??= []).push(...bytes.slice(off, off + n));
      off += n;
    }
    return out;
  });
}

/** Opens the app on the base graph, on tfjs' CPU backend (the quick one for small MLPs here), and trains it. */
async function openTrained(page: Page, url: string): Promise<void> {
  // Generous: a CI run at high priority shares this machine's 2 cores (clicks that start a run
  // have waited over 20 s for the page to answer).
  page.setDefaultTimeout(120_000);
  await page.goto(url);
  await page.waitForFunction(() => window.__nb?.ready, null, { timeout: 120_000 });
  await page.evaluate((d) => window.__nb!.commit(d as never), base);
  await page.locator(T('tab-train')).click();
  await page.locator(T('backend-select')).selectOption('cpu');
  await eventually(async () => assert.equal(await page.locator(T('backend-indicator')).innerText(), 'CPU'), 60_000, 'CPU backend');
  await page.locator(T('fit-ok')).waitFor({ timeout: 60_000 });
  await armDone(page);
  await page.locator(T('train-start')).click();
  assert.equal(await waitDone(page), 'done');
}

async function shotAt(page: Page, name: string, width: number, height: number) {
  await page.setViewportSize({ width, height });
  await page.locator(T('finetune')).scrollIntoViewIfNeeded();
  const file = `${ARTIFACTS}/${name}.png`;
  await page.screenshot({ path: file });
  mkdirSync(SHOTS, { recursive: true });
  copyFileSync(file, `${SHOTS}/${name}.png`);
}

export const tests: E2ETest[] = [
  {
    name: 'finetune: from a run, freeze all but the head, replace the head, train — frozen weights bit-identical, head changed, accuracy shown',
    async fn({ page, url }) {
      // 1. Train the base model on circles.
      await openTrained(page, url);
      const trained = await blockBytes(page);

      // 2. Start a fine-tune from that run in the Runs view (the newest row keeps its weights).
      const row = page.locator(`${T('runs-table')} tbody tr`).first();
      await row.locator(T('run-finetune')).waitFor({ timeout: 20_000 });
      await row.locator(T('run-finetune')).click();
      await eventually(async () => assert.match(await page.locator(T('finetune-source')).innerText(), /run “points-mlp” on circles/), 10_000, 'the source is the run');
      assert.match(await page.locator(T('finetune-head')).innerText(), /^out · Dense · 2 units$/);

      // 3. Freeze all but the head: one click; the locks show on the canvas.
      await page.locator(T('finetune-freeze')).click();
      assert.deepEqual(await page.evaluate(() => window.__nb!.getState().doc.nodes.map((n) => [n.id, n.trainable ?? true])), [['x', true], ['dense_1', false], ['dense_2', false], ['out', true]]);
      await page.locator(`${T('node-dense_1')} ${T('frozen-badge')}`).waitFor();
      await page.locator(`${T('node-dense_2')} ${T('frozen-badge')}`).waitFor();
      assert.equal(await page.locator(`${T('node-out')} ${T('frozen-badge')}`).count(), 0);

      // 4. Replace the head (a new 2-class Dense for the new task) and switch the data to XOR.
      await page.locator(T('finetune-replace')).click();
      assert.equal(await page.locator(T('finetune-fresh')).innerText(), 'out');
      assert.equal(await page.locator(T('finetune-carried')).innerText(), 'dense_1 (frozen), dense_2 (frozen)');
      await page.locator(T('dataset-select')).selectOption('xor');
      await page.locator('.nbt-note', { hasText: 'four quadrants' }).waitFor({ timeout: 60_000 });
      await page.locator(T('fit-ok')).waitFor({ timeout: 60_000 });
      await shotAt(page, 'finetune-1-ready-1440x900', 1440, 900);

      // 5. Fine-tune.
      await armDone(page);
      await page.locator(T('finetune-start')).click();
      assert.equal(await waitDone(page), 'done');
      const tuned = await blockBytes(page);
      assert.equal(tuned.dense_1!.length, (2 * 16 + 16) * 4);
      assert.deepEqual(tuned.dense_1, trained.dense_1, 'dense_1 (frozen) is bit-identical to the first run');
      assert.deepEqual(tuned.dense_2, trained.dense_2, 'dense_2 (frozen) is bit-identical to the first run');
      assert.notDeepEqual(tuned.out, trained.out, 'the replaced head trained from fresh weights');

      // 6. What the user reads: the fine-tune's result line and the test-set accuracy.
      const line = await page.locator(T('finetune-result')).innerText();
      const m = /^Fine-tuned 4 epochs with dense_1, dense_2 frozen: test accuracy (\d+\.\d)%, loss (\d\.\d{4})\.$/.exec(line);
      assert.ok(m, `result line: ${line}`);
      assert.equal(`${m[1]}%`, await page.locator(T('test-accuracy')).innerText());
      assert.ok(Number(m[1]) > 55, `above chance on XOR from frozen circles features (${line})`);
      // the Runs view lists the fine-tune as its own run
      assert.match(await page.locator(`${T('runs-table')} tbody tr`).first().innerText(), /fine-tune of points-mlp/);
      await shotAt(page, 'finetune-2-done-1440x900', 1440, 900);
      await shotAt(page, 'finetune-3-done-1280x720', 1280, 720);
      await page.locator(T('finetune-change')).click();
      await shotAt(page, 'finetune-4-start-1280x720', 1280, 720);
    },
  },
  {
    name: 'finetune: from an imported ONNX model\'s weights, all but the head frozen — the frozen blocks keep the imported bytes',
    async fn({ page, url }) {
      // A trained model as an .onnx file (this app's export), dropped on the canvas as a user would.
      await openTrained(page, url);
      const b64 = await page.evaluate(async () => {
        const bytes = await (window as unknown as { __nbTrain: { exportOnnx(): Promise<Uint8Array> } }).__nbTrain.exportOnnx();
        let s = '';
        for (const b of bytes) s += String.fromCharCode(b);
        return btoa(s);
      });
      const dt = await page.evaluateHandle((b) => {
        const bin = Uint8Array.from(atob(b), (ch) => ch.charCodeAt(0));
        const d = new DataTransfer();
        d.items.add(new File([bin], 'points.onnx', { type: 'application/octet-stream' }));
        return d;
      }, b64);
      const box = (await page.locator(T('canvas')).boundingBox())!;
      const at = { clientX: box.x + box.width / 2, clientY: box.y + box.height / 2 };
      for (const ev of ['dragenter', 'dragover', 'drop']) await page.dispatchEvent('.react-flow', ev, { dataTransfer: dt, ...at });
      // The imported graph opens with its weights kept (and loaded into the trainer).
      await eventually(async () => assert.match(await page.locator(T('weights-note')).innerText(), /imported from points\.onnx/), 60_000, 'imported weights kept');
      // The Import report opened over the page (this app's own export, reopened): read, closed.
      await eventually(async () => assert.match(await page.locator(T('import-report')).innerText(), /Reopened \(a Neural Blocks export\) as the new graph/), 20_000, 'the Import report');
      await page.keyboard.press('Escape');
      await page.locator(T('import-report')).waitFor({ state: 'detached', timeout: 5000 });
      const imported = await blockBytes(page);

      await page.locator(T('finetune-toggle')).click();
      await page.locator(T('finetune-from-kept')).click();
      assert.match(await page.locator(T('finetune-source')).innerText(), /imported from points\.onnx/);
      await page.locator(T('finetune-freeze')).click();
      const doc = await page.evaluate(() => window.__nb!.getState().doc as GraphDoc);
      const frozen = doc.nodes.filter((n) => n.trainable === false).map((n) => n.id);
      const head = doc.nodes.filter((n) => n.type === 'Dense' && n.trainable !== false).map((n) => n.id);
      assert.equal(frozen.length, 2, `two hidden Dense blocks frozen (${doc.nodes.map((n) => `${n.id}:${n.type}:${n.trainable ?? true}`).join(', ')})`);
      assert.equal(head.length, 1);
      await page.locator(T('finetune-replace')).click();
      assert.equal(await page.locator(T('finetune-fresh')).innerText(), head[0]);
      await page.locator(T('fit-ok')).waitFor({ timeout: 60_000 });
      await armDone(page);
      await page.locator(T('finetune-start')).click();
      assert.equal(await waitDone(page), 'done');
      const tuned = await blockBytes(page);
      for (const id of frozen) {
        assert.ok(imported[id]?.length, `imported weights of ${id} (${Object.keys(imported).join(', ')})`);
        assert.deepEqual(tuned[id], imported[id], `${id} (frozen) keeps the imported bytes`);
      }
      assert.notDeepEqual(tuned[head[0]!], imported[head[0]!], 'the replaced head trained');
      assert.match(await page.locator(T('finetune-result')).innerText(), /test accuracy \d+\.\d%/);
    },
  },
];
