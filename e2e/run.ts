// The e2e runner (`npm run test:e2e`): serves the app on 127.0.0.1, runs every e2e/*.spec.ts
// test in a fresh browser context with Debian's chromium, saves screenshots to e2e-artifacts/,
// and exits non-zero when a test fails. Set NB_E2E_SERVE=preview to test the production build.
// `tsx e2e/run.ts --built` (npm run test:e2e:build, after vite build) runs the BUILT subset below
// against the build in dist/ served by vite preview.
import { readdirSync } from 'node:fs';
import { serve, launch } from './harness';
import { ARTIFACTS, type E2ETest } from './lib';

/** What the production build must do: open, edit, load data, train, export ONNX and run it in ORT. */
const BUILT = [
  'hosting:',
  'build, connect, edit, error, undo, reload, JSON, macro',
  'train forced onto WebGL: same flow; try it; reload restores',
  'train-more · VGG mini on Fashion-MNIST',
  // a user's zip is unpacked in a module worker (src/data/zipWorker.ts): bundled separately by the build
  'train-more · your data: an image folder',
  // WASM with threads from the minified build (vite.config.ts's wasmThreadsSurviveMinify): Auto picks it, one full-MNIST epoch
  'train with Auto',
];

const built = process.argv.includes('--built');
const filter = process.argv.slice(2).find((a) => !a.startsWith('--'));
const files = readdirSync('e2e').filter((f) => f.endsWith('.spec.ts')).sort();
const tests: { file: string; t: E2ETest }[] = [];
for (const f of files) {
  const mod = (await import(`./${f}`)) as { tests: E2ETest[] };
  for (const t of mod.tests) if ((!filter || t.name.includes(filter)) && (!built || BUILT.some((b) => t.name.startsWith(b)))) tests.push({ file: f, t });
}
if (built && !filter && tests.length < BUILT.length) throw new Error(`--built: expected at least ${BUILT.length} tests (${BUILT.join(' | ')}), found ${tests.length}`);

const t0 = Date.now();
const server = await serve(built || process.env.NB_E2E_SERVE === 'preview' ? 'preview' : 'dev');
const browser = await launch();
let failed = 0;
try {
  // Warm-up: on a clean checkout Vite first pre-bundles the dependencies (tfjs, Monaco…), which
  // can take a minute; load the app once so the tests' own timeouts measure the app, not that.
  {
    const warm = await browser.newPage();
    await warm.goto(server.url, { timeout: 300_000 });
    await warm.waitForFunction(() => window.__nb?.ready, null, { timeout: 300_000 });
    await warm.close();
  }
  for (const [i, { file, t }] of tests.entries()) {
    const ctx = await browser.newContext({ viewport: { width: 1600, height: 900 }, deviceScaleFactor: 1 });
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url }).catch(() => undefined);
    const page = await ctx.newPage();
    const logs: string[] = [];
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && logs.push(`console.error: ${m.text()}`));
    page.setDefaultTimeout(20_000);
    // Loading the app is the step a busy machine slows most (the dev server transforms hundreds of
    // modules per page load): 20 s was missed at a load average of 26 on 2 cores, with every test
    // failing at page.goto. Steps inside the app keep the 20 s default.
    page.setDefaultNavigationTimeout(180_000);
    const started = Date.now();
    try {
      await t.fn({ page, url: server.url, shot: (name) => page.screenshot({ path: `${ARTIFACTS}/${name}.png` }).then(() => undefined) });
      console.log(`✓ ${file} › ${t.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed++;
      console.log(`✗ ${file} › ${t.name}\n  ${(e as Error).stack ?? e}`);
      await page.screenshot({ path: `${ARTIFACTS}/FAILED-${i}.png` }).catch(() => undefined);
    }
    if (logs.length) console.log(`  page errors:\n  ${logs.join('\n  ')}`);
    await ctx.close();
  }
} finally {
  await browser.close();
  await server.close();
}
console.log(`${tests.length - failed}/${tests.length} e2e tests passed in ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots in ${ARTIFACTS}/`);
process.exit(failed ? 1 : 0);
