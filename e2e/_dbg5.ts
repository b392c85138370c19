import { serve, launch } from './harness';
import { readFileSync } from 'node:fs';
const server = await serve('dev');
const browser = await launch();
const page = await browser.newPage();
page.on('console', (m) => m.type() !== 'debug' && m.type() !== 'warning' && console.log('console', m.type(), m.text().slice(0, 300)));
await page.goto(server.url);
await page.waitForFunction(() => window.__nb?.ready, null, { timeout: 120_000 });
const g = JSON.parse(readFileSync('/tmp/dbg/lenet2.json', 'utf8'));
const r = await page.evaluate(async (g) => {
  const code = `
  const tf = await import(location.origin + '/node_modules/.vite/deps/@tensorflow_tfjs.js');
  const { initBackend } = await import(location.origin + '/src/train/backends.ts');
  const { compile } = await import(location.origin + '/src/core/compile.ts');
  const { lossValue } = await import(location.origin + '/src/train/loop.ts');
  self.onmessage = async (e) => {
    const out = {};
    out.b = (await initBackend(e.data.b)).name;
    const { train } = await import(location.origin + '/src/train/loop.ts');
    const { findDataset } = await import(location.origin + '/src/data/registry.ts');
    const { browserDataEnv } = await import(location.origin + '/src/data/browserEnv.ts');
    const data = await findDataset('mnist').load(browserDataEnv(), { limit: 600 });
    const c = compile(e.data.g);
    const losses = [];
    const res = await train(c, data, { loss: 'sparseCategoricalCrossentropy', target: 'auto', optimizer: 'adam', learningRate: 0.01, momentum: 0, batchSize: 32, epochs: 1, validationSplit: 0.1, clipNorm: null, seed: 1, kernelInitializer: 'glorotUniform' }, { onBatch: (b) => { losses.push(+b.loss.toFixed(3)); } });
    out.losses = losses.slice(0, 12); out.hist = res.history;
    self.postMessage(out);
  };
  self.postMessage('ready');`;
  const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
  const res: any = {};
  for (const b of ['webgpu', 'cpu']) {
    const w = new Worker(url, { type: 'module' });
    await new Promise((r) => (w.onmessage = r));
    res[b] = await new Promise((r) => { w.onmessage = (e) => r(e.data); w.onerror = (e) => r('err ' + e.message); w.postMessage({ b, g }); });
    w.terminate();
  }
  return res;
}, g);
console.log(JSON.stringify(r));
await browser.close(); await server.close();
