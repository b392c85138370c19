// Training in the browser, the parts a user drives by hand (issue 5): pause, resume, stop and
// train more; a seq2seq model with attention decoded greedily with its attention map; the user's
// own data (CSV, image folder, zip of images, pairs file) through the real file inputs; the tfjs
// model download and upload; and running out of memory. All on the CPU or WebGL backend with tiny
// data, so each test takes seconds of training, not minutes.
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { eventually, type E2ETest } from './lib';
import { makeZip as zip } from '../src/data/zipFixture';

const T = (id: string) => `[data-testid="${id}"]`;
const t0 = Date.now();
/** Progress lines while a test runs (the runner prints only at the end of each test). */
const step = (what: string) => console.log(`    [${((Date.now() - t0) / 1000).toFixed(0)} s] ${what}`);

type Graph = { format: string; version: number; name: string; training: Record<string, unknown>; nodes: object[]; edges: object[] };

function graph(name: string, training: Record<string, unknown>, nodes: [string, string, Record<string, unknown>][], edges: object[] = []): Graph {
  const ns = nodes.map(([id, type, params], i) => ({ id, type, params, position: { x: 0, y: i * 100 } }));
  // A chain unless edges are given.
  const es = edges.length ? edges : nodes.slice(1).map(([id], i) => ({ source: nodes[i]![0], target: id }));
  return { format: 'neural-blocks.graph', version: 1, name, training, nodes: ns, edges: es };
}

const XOR_MLP = (training: Record<string, unknown>, hidden = 16) =>
  graph('xor mlp', { dataset: 'xor', loss: 'sparseCategoricalCrossentropy', optimizer: 'adam', learningRate: 0.01, validationSplit: 0.1, seed: 1, ...training }, [
    ['xy', 'Input', { shape: [2] }],
    ['hidden', 'Dense', { units: hidden, activation: 'tanh' }],
    ['out', 'Dense', { units: 2, activation: 'softmax' }],
  ]);

async function openTrain(page: Page, url: string, g: object) {
  await page.goto(url);
  await page.waitForFunction(() => window.__nb?.ready, null, { timeout: 120_000 });
  await page.evaluate((x) => window.__nb!.commit(x as never), g);
  await page.locator(T('tab-train')).click();
  await page.locator(T('train-panel')).waitFor({ timeout: 30_000 });
}

async function pickBackend(page: Page, backend: 'webgl' | 'cpu', label: string) {
  await page.locator(T('backend-select')).selectOption(backend);
  await eventually(async () => assert.equal(await page.locator(T('backend-indicator')).innerText(), label), 60_000, `backend ${label}`);
}

/** The progress line: "epoch E · batch B/N …" → numbers, and the global step. */
async function progress(page: Page): Promise<{ epoch: number; batch: number; per: number; step: number; text: string }> {
  const text = await page.locator(T('train-progress')).innerText();
  const m = /epoch (\d+) · batch (\d+)\/(\d+)/.exec(text);
  if (!m) throw new Error(`no batch counter in ${JSON.stringify(text)}`);
  const [epoch, batch, per] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return { epoch, batch, per, step: (epoch - 1) * per + batch, text };
}

const seriesAttr = (page: Page, chart: string, series: string, attr: string) => page.locator(`${T(chart)} g[data-series="${series}"]`).getAttribute(attr);

/** The class probabilities the try-it bars show (full precision from data-p). */
async function bars(page: Page): Promise<Map<number, number>> {
  await page.locator(T('prediction-bars')).waitFor({ timeout: 20_000 });
  const rows = await page.locator(`${T('prediction-bars')} [data-p]`).evaluateAll((els) => els.map((e) => [Number(e.getAttribute('data-class')), Number(e.getAttribute('data-p'))] as [number, number]));
  return new Map(rows);
}

/** Predicts test image 0 again: a fresh answer, read from the bars once they answer that click. */
const repick = (page: Page) => predictPick(page, 0);

/**
 * Clicks a test image and returns the bars that answer this click: their request number (data-n)
 * is newer than the one shown before and their source is this image. Comparing values instead
 * would accept any change, such as a stale answer to an earlier click.
 */
async function predictPick(page: Page, i: number): Promise<Map<number, number>> {
  const el = page.locator(T('prediction-bars'));
  const before = (await el.count()) ? Number(await el.getAttribute('data-n')) : 0;
  await page.locator(T(`pick-${i}`)).click();
  await eventually(async () => {
    const [n, source] = [Number(await el.getAttribute('data-n')), await el.getAttribute('data-source')];
    assert.ok(n > before && source === `pick-${i}`, `bars answer request ${n} from ${source}, waiting for one after ${before} from pick-${i}`);
  }, 20_000, 'prediction bars');
  return bars(page);
}

/** Class → probability as text, for failure messages. */
const show = (m: Map<number, number>) => JSON.stringify([...m]);

/** The largest change of a shown class probability; Infinity when different classes are shown. */
function maxDiff(a: Map<number, number>, b: Map<number, number>): number {
  if ([...a.keys()].sort().join() !== [...b.keys()].sort().join()) return Infinity;
  return Math.max(...[...a].map(([k, v]) => Math.abs(v - b.get(k)!)));
}

// ---- tiny files, written to a temp dir ----

const tmp = () => mkdtempSync(join(tmpdir(), 'nb-e2e-'));

/** A grey 8-bit PNG (filter 0 rows, zlib-deflated, CRCs from node:zlib). */
function png(w: number, h: number, px: (x: number, y: number) => number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const raw = Buffer.alloc((w + 1) * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw[y * (w + 1) + 1 + x] = px(x, y);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}


/** 8×8 images in two classes: "dark" (a dim square) and "light" (a bright cross). */
function imageSet(): { path: string; data: Buffer }[] {
  const out: { path: string; data: Buffer }[] = [];
  for (let i = 0; i < 6; i++) {
    out.push({ path: `shapes/dark/d${i}.png`, data: png(8, 8, (x, y) => (x > 1 && x < 6 && y > 1 && y < 6 ? 40 + i * 5 : 0)) });
    out.push({ path: `shapes/light/l${i}.png`, data: png(8, 8, (x, y) => (x === 3 || x === 4 || y === 3 || y === 4 ? 200 + i * 8 : 10)) });
  }
  return out;
}

async function openUserData(page: Page, kind: 'csv' | 'images' | 'pairs') {
  if (!(await page.locator(T('user-data-dialog')).isVisible())) await page.locator(T('user-data-open')).click();
  await page.locator(T(`user-data-${kind}`)).click();
}

async function facts(page: Page): Promise<string> {
  return page.locator(T('data-facts')).innerText();
}

export const tests: E2ETest[] = [
  {
    name: 'train-more · pause stops the counter, resume goes on, stop says so, train more continues the epochs (CPU)',
    async fn({ page, url, shot }) {
      await openTrain(page, url, XOR_MLP({ limit: 1000, batchSize: 4, epochs: 4 }));
      await pickBackend(page, 'cpu', 'CPU');
      await page.locator(T('fit-ok')).waitFor({ timeout: 60_000 });
      await page.locator(T('train-start')).click();
      step('started');
      await eventually(async () => assert.ok((await progress(page)).step >= 5, 'step ≥ 5'), 60_000, 'a few batches');

      // Pause: the state says so and the batch counter stands still.
      await page.locator(T('train-pause')).click();
      await page.locator(T('train-resume')).waitFor({ timeout: 10_000 });
      await page.waitForTimeout(400); // the batch in flight when pause arrived may still report
      const p1 = await progress(page);
      assert.match(p1.text, /paused/);
      await page.waitForTimeout(1500);
      const p2 = await progress(page);
      assert.equal(p2.step, p1.step, `paused at step ${p1.step}, then ${p2.step}`);
      await shot('train-more-1-paused');
      step('train-more-1-paused');

      // Resume: the counter moves again.
      await page.locator(T('train-resume')).click();
      await eventually(async () => assert.ok((await progress(page)).step > p2.step + 3, 'step advanced'), 30_000, 'counter advancing after resume');

      // Stop once the second epoch runs: the run ends with a message, and the test results come.
      await eventually(async () => assert.ok((await progress(page)).epoch >= 2, 'epoch ≥ 2'), 120_000, 'epoch 2');
      await page.locator(T('train-stop')).click();
      const msg = await eventually(async () => {
        const t = await page.locator(T('train-message')).innerText();
        assert.match(t, /stopped by the user at epoch \d+, before batch \d+/);
        return t;
      }, 30_000, 'stop message');
      const stoppedAt = Number(/epoch (\d+)/.exec(msg)![1]);
      // The progress line and the message name the same place: the last batch trained is the one
      // before the batch the run stopped at (or the previous epoch's last, at an epoch boundary).
      const before = Number(/before batch (\d+)/.exec(msg)![1]);
      const pStop = await eventually(async () => {
        const p = await progress(page);
        assert.match(p.text, /done/);
        return p;
      }, 30_000, 'the run ends');
      if (before > 1) assert.deepEqual([pStop.epoch, pStop.batch], [stoppedAt, before - 1], `${pStop.text} vs ${msg}`);
      else assert.deepEqual([pStop.epoch, pStop.batch], [stoppedAt - 1, pStop.per], `${pStop.text} vs ${msg}`);
      const completed = stoppedAt - 1;
      assert.ok(completed >= 1 && completed < 4, `stopped in epoch ${stoppedAt} of 4`);
      await page.locator(T('test-accuracy')).waitFor({ timeout: 30_000 });
      assert.equal(Number(await seriesAttr(page, 'loss-chart', 'train (epoch)', 'data-n')), completed, 'one per-epoch point per completed epoch');
      assert.match(await page.locator(T('weights-note')).innerText(), new RegExp(`\\(${completed} epoch${completed === 1 ? "" : "s"}, stopped early\\)`));
      assert.ok(await page.locator(T('train-start')).isEnabled(), 'idle again after the stop');
      await shot('train-more-2-stopped');
      step('train-more-2-stopped');

      // Train more: 2 epochs from the current weights; the epoch count and the curves carry on.
      const per = (await progress(page)).per;
      await page.locator(T('train-more-epochs')).fill('2');
      await page.locator(T('train-more')).click();
      await eventually(async () => assert.ok((await progress(page)).epoch >= completed + 1, 'next epoch'), 30_000, 'train more started');
      await eventually(async () => assert.match(await page.locator(T('weights-note')).innerText(), new RegExp(`\\(${completed + 2} epochs\\)`)), 180_000, 'train more finished');
      const pEnd = await progress(page);
      assert.equal(pEnd.epoch, completed + 2, `the epoch count continues (${pEnd.text})`);
      assert.equal(pEnd.batch, per);
      assert.equal(Number(await seriesAttr(page, 'loss-chart', 'train (epoch)', 'data-n')), completed + 2, 'per-epoch points continue');
      assert.equal(Number(await seriesAttr(page, 'loss-chart', 'validation', 'data-n')), completed + 2, 'validation points continue');
      assert.equal(Number(await seriesAttr(page, 'loss-chart', 'train (batch)', 'data-last-x')), (completed + 2) * per, 'the batch curve reaches the last step of the last epoch');
      assert.ok(Number(await seriesAttr(page, 'loss-chart', 'train (batch)', 'data-n')) > per, 'the batch curve keeps the earlier epochs');
      assert.equal(await page.locator(T('train-message')).count(), 0, 'the stop message went with the new run');
      const acc = parseFloat(await page.locator(T('test-accuracy')).innerText());
      assert.ok(acc >= 85, `XOR after ${completed + 2} epochs: test accuracy ${acc}% ≥ 85%`);
      await page.locator(T('loss-chart')).scrollIntoViewIfNeeded();
      await shot('train-more-3-continued');
      step('train-more-3-continued');
    },
  },
  {
    name: 'train-more · seq2seq attention: train on reversal, type a sequence, greedy decoding and the attention heatmap (CPU)',
    async fn({ page, url, shot }) {
      const tpl = JSON.parse(readFileSync('templates/seq2seq-attention.json', 'utf8')) as Graph;
      // The template as a user loads it (attention scores off), trained briefly on a small set.
      tpl.training = { ...tpl.training, limit: 400, epochs: 2, batchSize: 32, validationSplit: 0.1 };
      await openTrain(page, url, tpl);
      await pickBackend(page, 'cpu', 'CPU');
      await eventually(async () => assert.match(await facts(page), /inputs\s+\[10\] int32, \[10\] int32/), 60_000, 'reversal data');
      await page.locator(T('fit-ok')).waitFor({ timeout: 10_000 });
      await page.locator(T('train-start')).click();
      await page.locator(T('test-results')).waitFor({ timeout: 300_000 });
      assert.match(await page.locator(T('test-results')).innerText(), /exact match/);

      // Type a sequence; the first attempt is too long and says so.
      await page.locator(T('seq-input')).fill('012345678901');
      await page.locator(T('seq-decode')).click();
      await eventually(async () => assert.match(await page.locator(`${T('try-it')} .nbt-note.error`).innerText(), /12 tokens but Input "source" takes 10/), 20_000, 'too-long message');
      await page.locator(T('seq-input')).fill('');
      await page.locator(T('seq-input')).pressSequentially('3141592653');
      await page.locator(T('seq-decode')).click();
      const out = await eventually(async () => (await page.locator(T('seq-output')).innerText()).replace(/^→\s*/, ''), 60_000, 'decoded output');
      // A fixed-length task: 10 steps decoded (no </s> in its vocabulary), every one a digit or a
      // special token the text leaves out — so at most 10 digits, and nothing else.
      assert.match(out, /^[0-9]{0,10}$|^\(empty\)$/, `decoded ${JSON.stringify(out)}`);
      const hm = page.locator(T('attention-heatmap'));
      await hm.waitFor({ timeout: 20_000 });
      assert.equal(await hm.getAttribute('data-rows'), '10', 'one row per decoded step');
      assert.equal(await hm.getAttribute('data-cols'), '10', 'one column per input token');
      assert.equal(await hm.locator('tbody tr').count(), 10);
      assert.deepEqual(await hm.locator('thead th').allInnerTexts(), ['', ...'3141592653'.split('')], 'columns labelled by the input');
      const rows = await hm.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => Number(td.getAttribute('data-v')))));
      for (const [i, r] of rows.entries()) {
        assert.equal(r.length, 10);
        const sum = r.reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(sum - 1) < 1e-3, `attention row ${i} sums to ${sum}`);
        assert.ok(r.every((v) => v >= 0 && v <= 1), `attention row ${i} in [0, 1]: ${r}`);
      }
      await page.locator(T('try-it')).scrollIntoViewIfNeeded();
      await shot('train-more-seq2seq-heatmap');
      step('train-more-seq2seq-heatmap');
    },
  },
  {
    name: 'train-more · VGG mini on Fashion-MNIST: the bundled clothes load in the browser, augmentation and a cosine schedule train (WebGL)',
    async fn({ page, url, shot }) {
      const tpl = JSON.parse(readFileSync('templates/vgg-mini.json', 'utf8')) as Graph;
      // The template as a user loads it, on 200 images for one short epoch.
      tpl.training = { ...tpl.training, limit: 200, epochs: 1, batchSize: 32 };
      await openTrain(page, url, tpl);
      await pickBackend(page, 'webgl', 'WebGL');
      // Fashion-MNIST's package stores rows of bytes; it loads as [28, 28, 1] images in 10 classes.
      await eventually(async () => assert.match(await facts(page), /inputs\s+\[28, 28, 1\] float32/), 120_000, 'Fashion-MNIST loaded');
      const f = await facts(page);
      assert.match(f, /\(10 classes\)/, f);
      // a limit of 200 keeps 20 per class: 30 for test (15%), 17 of the other 170 for validation
      assert.match(f, /train\s+153\s+validation\s+17\s+test\s+30/, f);
      assert.equal(await page.locator(`${T('data-preview')} canvas, ${T('data-preview')} img`).count() > 0, true, 'image thumbnails');
      assert.match(await page.locator(T('data-preview')).innerText(), /T-shirt|Trouser|Pullover|Dress|Coat|Sandal|Shirt|Sneaker|Bag|Ankle boot/);
      // augmentation and the schedule, set in the panel, land in the document
      await page.locator(T('cfg-augmentShift')).fill('2');
      await page.locator(T('cfg-augmentFlip')).check();
      await page.locator(T('cfg-lrSchedule')).selectOption('cosine');
      await eventually(async () => {
        const t = (await page.evaluate(() => window.__nb!.getState().doc.training)) as Record<string, unknown>;
        assert.deepEqual([t.augmentShift, t.augmentFlip, t.lrSchedule], [2, true, 'cosine']);
      }, 10_000, 'training config in the document');
      await page.locator(T('fit-ok')).waitFor({ timeout: 10_000 });
      await page.locator(T('train-start')).click();
      await page.locator(T('test-accuracy')).waitFor({ timeout: 300_000 });
      // the test result covers exactly the 30 test images: a 10×10 confusion matrix summing to 30,
      // and an accuracy that is a whole number of them out of 30
      const cells = await page.locator(`${T('confusion-matrix')} td`).allInnerTexts();
      assert.equal(cells.length, 100, 'a 10×10 confusion matrix');
      assert.equal(cells.reduce((s, c) => s + (Number(c) || 0), 0), 30, 'the matrix counts every test image');
      const acc = parseFloat(await page.locator(T('test-accuracy')).innerText());
      assert.ok(Math.abs(((acc / 100) * 30) - Math.round((acc / 100) * 30)) < 0.02, `test accuracy ${acc}% is k/30`);
      await shot('train-more-fashion');
      step('train-more-fashion');
    },
  },
  {
    name: 'train-more · your data: CSV with numeric and categorical columns — preview, split, shapes, a mismatch names the Input, then it trains (CPU)',
    async fn({ page, url, shot }) {
      const dir = tmp();
      const colors = ['red', 'green', 'blue'];
      const lines = ['x1,x2,color,noise,label'];
      for (let i = 0; i < 100; i++) {
        const x1 = Math.sin(i * 1.7) * 3;
        const x2 = Math.cos(i * 0.9) * 2;
        lines.push(`${x1.toFixed(3)},${x2.toFixed(3)},${colors[i % 3]},${(i * 7) % 11},${x1 > 0 ? 'yes' : 'no'}`);
      }
      const csv = join(dir, 'points.csv');
      writeFileSync(csv, lines.join('\n') + '\n');
      const g = (inputWidth: number) =>
        graph('csv mlp', { loss: 'sparseCategoricalCrossentropy', optimizer: 'adam', learningRate: 0.05, batchSize: 8, epochs: 25, validationSplit: 0.1, seed: 2 }, [
          ['features', 'Input', { shape: [inputWidth] }],
          ['hidden', 'Dense', { units: 8, activation: 'relu' }],
          ['out', 'Dense', { units: 2, activation: 'softmax' }],
        ]);
      await openTrain(page, url, g(4));
      await pickBackend(page, 'cpu', 'CPU');
      await openUserData(page, 'csv');
      await page.locator(T('csv-file')).setInputFiles(csv);
      const dlg = page.locator(T('user-data-dialog'));
      await eventually(async () => assert.match(await dlg.innerText(), /100 rows × 5 columns/), 10_000, 'CSV read');
      // Column kinds as detected; "noise" is not a feature, "label" is the label.
      const kinds = await dlg.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 2).map((td) => td.textContent)));
      assert.deepEqual(kinds, [
        ['x1', 'numeric'],
        ['x2', 'numeric'],
        ['color', 'categorical'],
        ['noise', 'numeric'],
        ['label', 'categorical'],
      ]);
      await page.locator(T('csv-feature-noise')).uncheck();
      assert.ok(await page.locator(T('csv-label-label')).isChecked(), 'the last column is the label by default');
      await page.locator(T('csv-use')).click();
      // 2 numeric + 3 one-hot = 5 inputs; 20% test, then 10% of the rest for validation.
      await eventually(async () => {
        const f = await facts(page);
        assert.match(f, /train\s+72/);
        assert.match(f, /validation\s+8/);
        assert.match(f, /test\s+20/);
        assert.match(f, /inputs\s+\[5\] float32/);
        assert.match(f, /labels\s+\[\] int32\s*\(2 classes\)/);
      }, 20_000, 'CSV facts');
      assert.equal(await page.locator(`${T('data-preview')} tbody tr`).count(), 6, 'a preview of rows');
      assert.deepEqual(await page.locator(`${T('data-preview')} th`).allInnerTexts(), ['x0', 'x1', 'x2', 'x3', 'x4', 'label']);
      const previewLabels = await page.locator(`${T('data-preview')} tbody tr td:last-child`).allInnerTexts();
      assert.ok(previewLabels.every((l) => l === 'yes' || l === 'no'), `labels by name: ${previewLabels}`);
      // The graph's Input is [4]: the message names it and says how to fix it.
      await eventually(async () => assert.match(await page.locator(T('fit-issues')).innerText(), /Input "features" has shape \[4\] but the points\.csv data gives \[5\] — set the Input's shape to \[5\]/), 10_000, 'fit message');
      assert.ok(await page.locator(T('train-start')).isDisabled(), 'Train is disabled while the data does not fit');
      await shot('train-more-csv-1-mismatch');
      step('train-more-csv-1-mismatch');
      await page.locator(`${T('fit-issues')} button`).first().click();
      assert.deepEqual(await page.evaluate(() => [...window.__nb!.getState().selectedNodes]), ['features']);

      await page.evaluate((x) => window.__nb!.commit(x as never), g(5));
      await page.locator(T('fit-ok')).waitFor({ timeout: 10_000 });
      await page.locator(T('train-start')).click();
      await page.locator(T('test-accuracy')).waitFor({ timeout: 120_000 });
      const acc = parseFloat(await page.locator(T('test-accuracy')).innerText());
      assert.ok(acc >= 75, `the label is the sign of x1: test accuracy ${acc}% ≥ 75%`);
      assert.equal(await page.locator(`${T('confusion-matrix')} td`).count(), 4, 'a 2×2 confusion matrix');

      // Try it on a typed row: two class probabilities that sum to 1.
      await page.locator(T('row-input')).fill('1.5, 0, 1, 0, 0');
      await page.locator(T('row-predict')).click();
      const b = await bars(page);
      assert.equal(b.size, 2);
      assert.ok(Math.abs([...b.values()].reduce((a, c) => a + c, 0) - 1) < 1e-5, `probabilities sum to 1: ${[...b]}`);
      await page.locator(T('row-input')).fill('1, 2');
      await page.locator(T('row-predict')).click();
      await eventually(async () => assert.match(await page.locator(`${T('try-it')} .nbt-note.error`).innerText(), /type 5 numbers/), 5_000, 'row length message');
      await shot('train-more-csv-2-trained');
      step('train-more-csv-2-trained');
    },
  },
  {
    name: 'train-more · your data: an image folder and a zip of images per class, a pairs file — shapes, split, preview, fit messages (CPU)',
    async fn({ page, url, shot }) {
      const dir = tmp();
      const files = imageSet();
      for (const f of files) {
        mkdirSync(join(dir, f.path, '..'), { recursive: true });
        writeFileSync(join(dir, f.path), f.data);
      }
      const zipPath = join(dir, 'shapes.zip');
      writeFileSync(zipPath, zip(files.map((f) => ({ path: f.path.replace(/^shapes\//, ''), data: f.data }))));
      const imgGraph = (units: number) =>
        graph('images', { loss: 'sparseCategoricalCrossentropy', optimizer: 'adam', learningRate: 0.05, batchSize: 4, epochs: 10, validationSplit: 0, seed: 3 }, [
          ['pixels', 'Input', { shape: [8, 8, 1] }],
          ['flat', 'Flatten', {}],
          ['out', 'Dense', { units, activation: 'softmax' }],
        ]);
      await openTrain(page, url, imgGraph(3));
      await pickBackend(page, 'cpu', 'CPU');

      // A folder with one sub-folder per class.
      await openUserData(page, 'images');
      await page.locator(T('image-folder')).setInputFiles(join(dir, 'shapes'));
      const imageFacts = async () =>
        eventually(async () => {
          const f = await facts(page);
          assert.match(f, /train\s+10/);
          assert.match(f, /test\s+2/);
          assert.match(f, /inputs\s+\[8, 8, 1\] float32/);
          assert.match(f, /\(2 classes\)/);
          assert.equal(await page.locator(`${T('data-preview')} canvas`).count(), 2, 'the test images as thumbnails');
          const caps = await page.locator(`${T('data-preview')} figcaption`).allInnerTexts();
          assert.ok(caps.every((c) => c === 'dark' || c === 'light'), `class names from the folders: ${caps}`);
        }, 20_000, 'image facts');
      await imageFacts();
      // The output has 3 units for 2 classes: named, with the fix.
      await eventually(async () => assert.match(await page.locator(T('fit-issues')).innerText(), /output "out" gives \[3\] but shapes needs \[2\] \(2 classes\) — set its units to 2/), 10_000, 'fit message');
      await shot('train-more-images-1-folder');
      step('train-more-images-1-folder');

      // The same images as a zip (class folders at the top of the archive).
      await page.evaluate((x) => window.__nb!.commit(x as never), imgGraph(2));
      await openUserData(page, 'images');
      await page.locator(T('image-zip')).setInputFiles(zipPath);
      // The folder's data looks the same: wait for the zip's (named after the file) to replace it.
      await eventually(async () => assert.equal(await page.locator(T('dataset-select')).locator('option:checked').innerText(), 'shapes.zip'), 20_000, 'the data named after the zip');
      await imageFacts();
      await page.locator(T('fit-ok')).waitFor({ timeout: 10_000 });
      await page.locator(T('train-start')).click();
      await page.locator(T('test-accuracy')).waitFor({ timeout: 60_000 });
      await page.locator(T('pick-0')).click();
      const b = await bars(page);
      assert.equal(b.size, 2);
      await shot('train-more-images-2-zip-trained');
      step('train-more-images-2-zip-trained');

      // A file that is not a zip: a clear message, the data stays.
      const bad = join(dir, 'not-a.zip');
      writeFileSync(bad, 'hello');
      await openUserData(page, 'images');
      await page.locator(T('image-zip')).setInputFiles(bad);
      await eventually(async () => assert.match(await page.locator(T('user-data-error')).innerText(), /not-a\.zip: not a zip archive/), 10_000, 'zip error');

      // Pairs: "input -> output" lines; the template's 10-token Input does not fit 5-character words.
      const pairs = join(dir, 'words.txt');
      const words = ['abc', 'bead', 'cab', 'dace', 'ebb', 'faced', 'bad', 'deaf', 'cafe', 'dab', 'face', 'bed'];
      writeFileSync(pairs, ['# reverse the letters', ...words.map((w) => `${w} -> ${[...w].reverse().join('')}`)].join('\n'));
      const tpl = JSON.parse(readFileSync('templates/seq2seq-attention.json', 'utf8')) as Graph;
      await page.evaluate((x) => window.__nb!.commit(x as never), tpl);
      await openUserData(page, 'pairs');
      await page.locator(T('pairs-file')).setInputFiles(pairs);
      await eventually(async () => {
        const f = await facts(page);
        // 12 pairs: 1 for test (10%), then 10% of the other 11 for validation (the template's split).
        assert.match(f, /train\s+10/);
        assert.match(f, /validation\s+1\b/);
        assert.match(f, /test\s+1\b/);
        assert.match(f, /inputs\s+\[5\] int32, \[6\] int32/);
        assert.match(f, /labels\s+\[6\] int32\s*\(9 tokens\)/);
      }, 20_000, 'pairs facts');
      const shown = await page.locator(`${T('data-preview')} tr`).allInnerTexts();
      assert.equal(shown.length, 1);
      const [src, tgt] = shown[0]!.split('→').map((s) => s.trim());
      assert.equal(tgt, [...src!].reverse().join(''), `a preview pair: ${shown[0]}`);
      await eventually(async () => {
        const t = await page.locator(T('fit-issues')).innerText();
        assert.match(t, /Input "source" has shape \[10\] but the words\.txt data gives \[5\] — set the Input's shape to \[5\]/);
        assert.match(t, /Input "target_in" has shape \[10\] but the words\.txt data gives \[6\] — set the Input's shape to \[6\]/);
      }, 10_000, 'pairs fit message');
      await shot('train-more-pairs');
      step('train-more-pairs');
    },
  },
  {
    name: 'train-more · tfjs model: download model.json + weights.bin, load them back (same predictions), a wrong file changes nothing (WebGL)',
    async fn({ page, url, shot }) {
      const mlp = graph('mnist mlp', { dataset: 'mnist', limit: 400, loss: 'sparseCategoricalCrossentropy', optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs: 1, validationSplit: 0, seed: 4 }, [
        ['image', 'Input', { shape: [28, 28, 1] }],
        ['flat', 'Flatten', {}],
        ['fc', 'Dense', { units: 10, activation: 'softmax' }],
      ]);
      await openTrain(page, url, mlp);
      await pickBackend(page, 'webgl', 'WebGL');
      await page.locator(T('fit-ok')).waitFor({ timeout: 120_000 });
      await page.locator(T('train-start')).click();
      await page.locator(T('test-accuracy')).waitFor({ timeout: 120_000 });
      const a = await predictPick(page, 0);

      // Download: two real files.
      const dir = tmp();
      const dls: import('playwright-core').Download[] = [];
      page.on('download', (d) => dls.push(d));
      await page.locator(T('download-tfjs')).click();
      await eventually(() => assert.equal(dls.length, 2, `downloads: ${dls.map((d) => d.suggestedFilename())}`), 30_000, 'two downloads');
      assert.deepEqual(dls.map((d) => d.suggestedFilename()).sort(), ['model.json', 'weights.bin']);
      for (const d of dls) await d.saveAs(join(dir, d.suggestedFilename()));
      const mj = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { format: string; weightsManifest: { weights: { name: string; shape: number[] }[] }[] };
      assert.equal(mj.format, 'layers-model');
      const specs = mj.weightsManifest[0]!.weights;
      assert.deepEqual(
        specs.map((w) => [w.name, w.shape]),
        [
          ['fc/kernel', [784, 10]],
          ['fc/bias', [10]],
        ],
      );
      assert.equal(readFileSync(join(dir, 'weights.bin')).length, (784 * 10 + 10) * 4);

      // Train one more epoch: the predictions move away from the saved ones.
      await page.locator(T('train-more-epochs')).fill('1');
      await page.locator(T('train-more')).click();
      await eventually(async () => assert.match(await page.locator(T('weights-note')).innerText(), /\(2 epochs\)/), 120_000, 'trained more');
      const b = await repick(page);
      assert.ok(maxDiff(a, b) > 1e-4, `training more changed the predictions (${maxDiff(a, b)}: ${show(a)} → ${show(b)})`);

      // Load the downloaded files back: the predictions are the saved ones again.
      await page.locator(T('upload-tfjs-input')).setInputFiles([join(dir, 'model.json'), join(dir, 'weights.bin')]);
      await eventually(async () => assert.match(await page.locator(T('weights-note')).innerText(), /uploaded from model\.json/), 20_000, 'weights loaded');
      const c = await repick(page);
      assert.ok(maxDiff(a, c) <= 1e-6, `predictions after loading equal those before (${maxDiff(a, c)}: ${show(a)} → ${show(c)})`);
      await shot('train-more-tfjs-1-loaded');
      step('train-more-tfjs-1-loaded');

      // Weights of another graph (a Dense "other" of 5 units): a clear message, nothing changes.
      const other = { ...mj, weightsManifest: [{ paths: ['weights.bin'], weights: [{ name: 'other/kernel', shape: [784, 5], dtype: 'float32' }, { name: 'other/bias', shape: [5], dtype: 'float32' }] }] };
      const wrong = join(dir, 'wrong');
      mkdirSync(wrong);
      writeFileSync(join(wrong, 'model.json'), JSON.stringify(other));
      writeFileSync(join(wrong, 'weights.bin'), Buffer.alloc((784 * 5 + 5) * 4));
      const noteBefore = await page.locator(T('weights-note')).innerText();
      await page.locator(T('upload-tfjs-input')).setInputFiles([join(wrong, 'model.json'), join(wrong, 'weights.bin')]);
      await eventually(async () => assert.match(await page.locator(T('train-message')).innerText(), /Loading weights failed: model\.json: no weight "fc\/kernel" \(the file has other\/kernel, other\/bias\) — were these weights trained for this graph\?/), 20_000, 'wrong-weights message');
      assert.equal(await page.locator(T('weights-note')).innerText(), noteBefore, 'the kept weights stay');
      const d = await repick(page);
      assert.ok(maxDiff(a, d) <= 1e-6, `the model is unchanged after the wrong file (${maxDiff(a, d)}: ${show(a)} → ${show(d)})`);
      // Same names, other shapes (the block's params changed): says which weight and why.
      const reshaped = { ...mj, weightsManifest: [{ paths: ['weights.bin'], weights: [{ name: 'fc/kernel', shape: [784, 5], dtype: 'float32' }, { name: 'fc/bias', shape: [5], dtype: 'float32' }] }] };
      writeFileSync(join(wrong, 'model.json'), JSON.stringify(reshaped));
      await page.locator(T('upload-tfjs-input')).setInputFiles([join(wrong, 'model.json'), join(wrong, 'weights.bin')]);
      await eventually(async () => assert.match(await page.locator(T('train-message')).innerText(), /weight "fc\/kernel" has shape \[784, 5\] in the file but \[784, 10\] in the graph/), 20_000, 'shape message');
      const e = await repick(page);
      assert.ok(maxDiff(a, e) <= 1e-6, `still unchanged (${show(a)} → ${show(e)})`);
      await shot('train-more-tfjs-2-wrong-file');
      step('train-more-tfjs-2-wrong-file');
    },
  },
  {
    name: 'train-more · out of memory: a batch too big for the CPU says so and suggests a smaller batch; the smaller batch trains',
    async fn({ page, url, shot }) {
      // 262144 hidden units × a batch of 32768 (36000 training points) would need 8.6e9 floats
      // (34 GB) for one activation: the allocation fails at once, as it would for a user who sets
      // a huge batch on a wide layer.
      await openTrain(page, url, XOR_MLP({ limit: 50_000, batchSize: 32_768, epochs: 1 }, 262_144));
      await pickBackend(page, 'cpu', 'CPU');
      await page.locator(T('fit-ok')).waitFor({ timeout: 60_000 });
      await page.locator(T('train-start')).click();
      await eventually(
        async () => assert.match(await page.locator(T('train-message')).innerText(), /ran out of memory on CPU at batch size 32768 — try a smaller batch \(e\.g\. 16384\) or a smaller model/),
        120_000,
        'out-of-memory message',
      );
      await shot('train-more-oom');
      step('train-more-oom');
      // The tab is alive and the suggestion works: at batch size 16 the same model trains (a few
      // batches are enough to show it; the test set's evaluation of this wide layer would be slow).
      assert.equal(await page.locator(T('backend-indicator')).innerText(), 'CPU');
      await page.locator(T('cfg-batchSize')).fill('16');
      await eventually(async () => assert.ok(await page.locator(T('train-start')).isEnabled(), 'Train enabled'), 10_000, 'train enabled');
      await page.locator(T('train-start')).click();
      await eventually(async () => assert.ok((await progress(page)).step >= 3, 'step ≥ 3'), 120_000, 'a few batches at batch size 16');
      const p = await progress(page);
      assert.equal(p.per, Math.ceil(36_000 / 16), `batches of 16 (${p.text})`);
      assert.equal(await page.locator(T('train-message')).count(), 0, 'the out-of-memory message went with the new run');
    },
  },
];
