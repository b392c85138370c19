// Experiment 8 in the browser (issue 17): the gallery runs the BERT-style pretraining, then the
// classifier from scratch and from the pretrained encoder, and overlays both. The pretraining takes
// ~25 min at the card's settings, so this test lays a TEST-ONLY training override over them (one
// pretraining epoch on 400 sequences, 3 fine-tuning epochs on the same 64 labels); the card says
// so. Asserted on the worker's own messages: the pretrained variant's encoder starts bit-identical
// to the pretraining's final encoder, its head starts where the from-scratch variant's does (a
// fresh, seeded initialisation) and then trains; Stop during the pretraining ends the experiment.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { eventually, type E2ETest } from './lib';

const T = (id: string) => `[data-testid="${id}"]`;
const ENCODER = ['token_embedding', 'position_embedding', 'encoder1', 'encoder2'];
const OVERRIDE = { pretrain: { epochs: 1, limit: 400 }, variants: { epochs: 3 } };
/** For the Stop check: a pretraining long enough to be stopped halfway on a busy machine. */
const LONG = { pretrain: { epochs: 2, limit: 3000 }, variants: { epochs: 3 } };
const setOverride = (page: Page, o: unknown) => page.evaluate((o) => (window as unknown as { __nbExperimentsTestOnly: { setTrainingOverride(o: unknown): void } }).__nbExperimentsTestOnly.setTrainingOverride(o), o);

type Saved = { modelJson: { weightsManifest: { weights: { name: string; shape: number[] }[] }[] }; weights: ArrayBuffer };
type Captured = { dones: Saved[]; starts: Saved[] };

/** Keeps the weights of every 'done' and 'start-weights' the worker sends, in order. */
async function capture(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __nbTrain: { on(l: (e: { t: string; weights?: unknown }) => void): () => void }; __e8?: Captured; __e8off?: () => void };
    w.__e8off?.();
    const c: Captured = { dones: [], starts: [] };
    w.__e8 = c;
    w.__e8off = w.__nbTrain.on((e) => {
      if (e.t === 'done' && e.weights) c.dones.push(e.weights as Saved);
      if (e.t === 'start-weights') c.starts.push(e.weights as Saved);
    });
  });
}

/**
 * Per weight name, whether two captured models hold the same bytes (null: the second has no such weight).
 * a/b: [which list, index].
 */
async function sameBytes(page: Page, a: [keyof Captured, number], b: [keyof Captured, number]): Promise<Record<string, boolean | null>> {
  return page.evaluate(
    ([a, b]) => {
      const c = (window as unknown as { __e8: Captured }).__e8;
      // (no named helpers inside evaluate: the test runner's transform would wrap them in __name)
      const [x, y] = [c[a[0]][a[1]]!, c[b[0]][b[1]]!].map((m) => {
        const bytes = new Uint8Array(m.weights);
        const out = new Map<string, Uint8Array>();
        let off = 0;
        for (const s of m.modelJson.weightsManifest[0]!.weights) {
          const n = 4 * s.shape.reduce((p, q) => p * q, 1);
          out.set(s.name, bytes.subarray(off, off + n));
          off += n;
        }
        return out;
      }) as [Map<string, Uint8Array>, Map<string, Uint8Array>];
      return Object.fromEntries([...x].map(([name, u]) => {
        const v = y.get(name);
        return [name, v ? u.length === v.length && u.every((q, i) => q === v[i]) : null];
      }));
    },
    [a, b] as const,
  );
}

const of = (r: Record<string, boolean | null>, blocks: string[]) => Object.entries(r).filter(([n]) => blocks.some((b) => n.startsWith(`${b}/`)));

export const tests: E2ETest[] = [
  {
    name: 'experiment8: pretraining (stoppable), then from scratch vs pretrained — encoder carried bit-identical, fresh head, both overlaid',
    async fn({ page, url, shot }) {
      page.setDefaultTimeout(120_000);
      await page.goto(url);
      await page.waitForFunction(() => window.__nb?.ready, null, { timeout: 180_000 });
      await page.locator(T('tab-train')).click();
      // WASM: the backend the card's numbers were measured on (and the quick one for this model here)
      await page.locator(T('backend-select')).selectOption('wasm');
      await eventually(async () => assert.equal(await page.locator(T('backend-indicator')).innerText(), 'WASM'), 120_000, 'WASM backend');
      await page.locator(T('experiments-toggle')).click();
      const card = page.locator(T('experiment-pretraining'));
      // before running: the card's measured numbers, and what running it will do
      assert.match(await card.locator(T('experiment-measured')).innerText(), /from scratch[\s\S]*23\.2%[\s\S]*pretrained[\s\S]*43\.2%/);
      assert.match(await card.locator(`${T('experiment-pretrain-note')}`).innerText(), /The pretraining runs first, once per tab \(the measurement’s took 25 min on a CPU\)/);
      await page.waitForFunction(() => !!(window as unknown as { __nbExperimentsTestOnly?: unknown }).__nbExperimentsTestOnly);
      await setOverride(page, LONG);
      assert.match(await card.locator(T('experiment-test-override')).innerText(), /Test-only training override in effect \(pretraining \{"epochs":2,"limit":3000\}, variants \{"epochs":3\}\)/);

      // 1. Stop during the pretraining ends the experiment: nothing fine-tuned, nothing overlaid.
      await capture(page);
      await page.locator(T('run-experiment-pretraining')).click();
      await eventually(async () => assert.match(await card.locator(T('experiment-progress')).innerText(), /Running the pretraining \(1\/3\) — epoch 1, \d+%…/), 300_000, 'the pretraining in progress');
      await shot('experiment8-1-pretraining');
      await card.locator(T('stop-experiment-pretraining')).click();
      await eventually(async () => assert.equal(await card.locator(T('experiment-error')).innerText(), 'Stopped during the pretraining; nothing was fine-tuned.'), 120_000, 'stopped');
      assert.equal(await card.locator(T('experiment-overlay-pretraining')).count(), 0);
      assert.equal(await card.locator(T('experiment-transfer')).count(), 0);
      assert.ok(await card.locator(T('run-experiment-pretraining')).isEnabled());

      // 2. The whole experiment: pretraining, from scratch, pretrained.
      await setOverride(page, OVERRIDE);
      assert.match(await card.locator(T('experiment-test-override')).innerText(), /\(pretraining \{"epochs":1,"limit":400\}, variants \{"epochs":3\}\)/);
      await capture(page);
      await page.locator(T('run-experiment-pretraining')).click();
      const overlay = card.locator(T('experiment-overlay-pretraining'));
      await eventually(async () => assert.equal(await overlay.locator(`${T('experiment-loss')} g[data-series]`).count(), 2), 1_500_000, 'both variants overlaid');
      await eventually(async () => assert.equal(await card.locator(T('experiment-transfer')).count(), 1), 30_000, 'the transfer line');
      const series = await overlay.locator(`${T('experiment-loss')} g[data-series]`).evaluateAll((gs) => gs.map((g) => [g.getAttribute('data-series'), Number(g.getAttribute('data-n'))]));
      // no validation split (all 64 labels train): the training curves, 3 epochs each
      assert.deepEqual(series, [['from scratch (train)', 3], ['pretrained (train)', 3]]);
      assert.equal(await overlay.locator(`${T('experiment-acc')} g[data-series]`).count(), 2);

      // the worker's messages: pretraining done, scratch start + done, pretrained start + done
      const counts = await page.evaluate(() => {
        const c = (window as unknown as { __e8: Captured }).__e8;
        return [c.dones.length, c.starts.length];
      });
      assert.deepEqual(counts, [3, 2]);
      // encoder: the pretrained variant starts from the pretraining's final bytes, every weight
      const vsPretraining = await sameBytes(page, ['starts', 1], ['dones', 0]);
      const enc = of(vsPretraining, ENCODER);
      assert.ok(enc.length >= 4 + 2 * 10, `the encoder's weights (${enc.length}: ${enc.map(([n]) => n).join(', ')})`);
      for (const id of ENCODER) assert.ok(enc.some(([n]) => n.startsWith(`${id}/`)), `${id} has weights`);
      assert.deepEqual(enc.filter(([, same]) => same !== true), [], 'every encoder weight bit-identical to the pretraining\'s final one');
      // ... which is not where the from-scratch variant starts
      const vsScratch = await sameBytes(page, ['starts', 1], ['starts', 0]);
      assert.ok(of(vsScratch, ENCODER).every(([, same]) => same === false), 'the scratch encoder starts elsewhere');
      // head: not in the pretraining; starts as the scratch variant's (the same seeded fresh weights), then trains
      const head = of(vsScratch, ['classifier']);
      assert.equal(head.length, 2, 'classifier kernel and bias');
      assert.ok(head.every(([, same]) => same === true), 'the head starts freshly initialised, like the scratch one');
      assert.ok(of(vsPretraining, ['classifier']).every(([, same]) => same === null), 'the pretraining has no classifier');
      assert.ok(of(await sameBytes(page, ['starts', 1], ['dones', 2]), ['classifier']).every(([, same]) => same === false), 'the head trained');

      // what the card says it did
      assert.match(await card.locator(T('experiment-transfer')).innerText(), /^“pretrained” started from the pretraining’s weights for token_embedding, position_embedding, encoder1, encoder2 \(bit-identical to the pretraining’s final weights\); fresh weights for classifier\.$/);
      assert.match(await card.locator(T('experiment-pretrain-note')).innerText(), /^Pretrained here: 1 epoch in \d+\.\d s, filling \d+\.\d% of the masked digits of its validation split\.$/);
      const browser = await card.locator(T('experiment-browser')).allInnerTexts();
      assert.equal(browser.length, 2);
      for (const b of browser) assert.match(b, /^\d+\.\d% · /, `a test accuracy per variant (${browser.join(' | ')})`);
      assert.equal(await card.locator(T('experiment-error')).count(), 0);
      // the Runs view lists the pretraining and both variants
      const rows = await page.locator(`${T('runs-table')} tbody tr`).allInnerTexts();
      for (const label of ['pretraining', 'from scratch', 'pretrained']) assert.ok(rows.some((r) => r.includes(label)), `${label} in Runs (${rows.length} rows)`);
      await card.scrollIntoViewIfNeeded();
      await shot('experiment8-2-card');
      await overlay.scrollIntoViewIfNeeded();
      await shot('experiment8-3-overlay');
    },
  },
];
