// The hostable build (issue 19): data sets are separate files, fetched only when chosen, with
// their download size shown before; the server's isolation headers reach the page. Runs in the
// `--built` subset (npm run test:e2e:build) against vite preview, and against the dev server.
import assert from 'node:assert/strict';
import { eventually, type E2ETest } from './lib';

const T = (id: string) => `[data-testid="${id}"]`;

const XOR = {
  format: 'neural-blocks.graph',
  version: 1,
  name: 'xor',
  training: { dataset: 'xor', loss: 'sparseCategoricalCrossentropy', optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs: 1, validationSplit: 0, seed: 1 },
  nodes: [
    { id: 'xy', type: 'Input', params: { shape: [2] }, position: { x: 0, y: 0 } },
    { id: 'out', type: 'Dense', params: { units: 2, activation: 'softmax' }, position: { x: 0, y: 100 } },
  ],
  edges: [{ source: 'xy', target: 'out' }],
};

export const tests: E2ETest[] = [
  {
    name: 'hosting: no data set in the first load; sizes shown before download; MNIST fetched only when chosen, with a limit; isolation headers on',
    async fn({ page, url, shot }) {
      const data: string[] = [];
      page.on('request', (r) => {
        // (the dev server also serves "…gz?import&url", a module holding the file's URL)
        if (/\.gz$/.test(new URL(r.url()).pathname) && !/[?&]import\b/.test(r.url())) data.push(new URL(r.url()).pathname);
      });
      await page.goto(url);
      await page.waitForFunction(() => window.__nb?.ready, null, { timeout: 120_000 });
      // vite dev and vite preview send COOP/COEP (vite.config.ts), so WASM may use threads.
      assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated), true, 'the page is cross-origin isolated');
      await page.evaluate((g) => window.__nb!.commit(g as never), XOR);
      await page.locator(T('tab-train')).click();
      await page.locator(T('train-panel')).waitFor({ timeout: 60_000 });
      await eventually(async () => assert.match(await page.locator(T('data-facts')).innerText(), /inputs\s+\[2\] float32/), 60_000, 'XOR points');
      assert.deepEqual(data, [], 'nothing of the bundled data sets is fetched before one is chosen');

      const options = await page.locator(`${T('dataset-select')} option`).allInnerTexts();
      for (const name of ['MNIST digits', 'MNIST, full', 'Fashion-MNIST', 'CMUdict']) {
        const o = options.find((x) => x.startsWith(name));
        assert.match(o ?? '', /· \d+(\.\d)? (MB|kB) download$/, `${name} shows its download size (${o})`);
      }
      const mb = (name: string) => Number(/· ([\d.]+) MB download/.exec(options.find((x) => x.startsWith(name)) ?? '')?.[1]);
      assert.ok(mb('MNIST digits') > 0.5 && mb('MNIST digits') < 4, `MNIST is a compact asset (${mb('MNIST digits')} MB)`);
      // The full MNIST's two assets (train and test) count together: 10.0 + 1.7 MB.
      assert.ok(mb('MNIST, full') > 8 && mb('MNIST, full') < 15, `the full MNIST's download is its train and test assets (${mb('MNIST, full')} MB)`);
      assert.ok(mb('Fashion-MNIST') < 40, `Fashion-MNIST is a compact asset, not the package's 149 MB of JSON (${mb('Fashion-MNIST')} MB)`);

      await page.locator(T('dataset-limit')).fill('200');
      await page.locator(T('dataset-limit')).blur();
      await page.locator(T('dataset-select')).selectOption('mnist');
      const facts = await eventually(async () => {
        const t = await page.locator(T('data-facts')).innerText();
        assert.match(t, /inputs\s+\[28, 28, 1\] float32/);
        return t;
      }, 60_000, 'MNIST loaded');
      const n = [...facts.matchAll(/(train|validation|test)\s+(\d+)/g)].reduce((a, m) => a + Number(m[2]), 0);
      assert.ok(n >= 200 && n < 215, `a limit of 200 keeps about 200 digits (${n}: ${facts.replace(/\s+/g, ' ')})`);
      assert.equal(data.length, 1, `one file fetched: ${data.join(', ')}`);
      assert.match(data[0]!, /mnist\.nbimg[^/]*\.gz$/);
      await shot('hosting-mnist-loaded');
    },
  },
];
