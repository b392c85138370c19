import { serve, launch } from './harness';
const server = await serve('dev');
const browser = await launch();
const page = await browser.newPage();
page.on('console', (m) => m.type() !== 'debug' && m.type() !== 'warning' && console.log('console', m.type(), m.text().slice(0, 300)));
await page.goto(server.url);
await page.waitForFunction(() => window.__nb?.ready, null, { timeout: 120_000 });
const r = await page.evaluate(async () => {
  const code = `
  const tf = await import(location.origin + '/node_modules/.vite/deps/@tensorflow_tfjs.js');
  await import(location.origin + '/node_modules/.vite/deps/@tensorflow_tfjs-backend-webgpu.js');
  self.onmessage = async (e) => {
    const out = {};
    out.ok = await tf.setBackend(e.data);
    out.sum = Array.from(await tf.tensor([1,2,3,4]).sum().data());
    const m = tf.sequential(); m.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, activation: 'relu' })); m.add(tf.layers.flatten()); m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
    const x = tf.randomUniform([4, 8, 8, 1]);
    out.pred = Array.from(await m.predict(x).data()).slice(0, 6);
    const vars = m.trainableWeights.map((w) => w.read());
    const { value, grads } = tf.variableGrads(() => tf.mean(m.apply(x, { training: true })), vars);
    out.loss = Array.from(await value.data());
    out.g0 = Array.from(await grads[vars[0].name].data()).slice(0, 4);
    out.dsync = Array.from(tf.tensor([7, 8]).add(1).dataSync());
    self.postMessage(out);
  };
  self.postMessage('ready');`;
  const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
  const res: any = {};
  for (const b of ['webgpu', 'cpu']) {
    const w = new Worker(url, { type: 'module' });
    await new Promise((r) => (w.onmessage = r));
    res[b] = await new Promise((r) => { w.onmessage = (e) => r(e.data); w.onerror = (e) => r('err ' + e.message); w.postMessage(b); });
    w.terminate();
  }
  return res;
});
console.log(JSON.stringify(r));
await browser.close(); await server.close();
