// Time to the first trained epoch of LeNet-5 on the bundled MNIST training split, per backend, in
// headless Chromium through the real app (issue 18): the template as a user opens it, set to one
// epoch, the backend picked in the Train panel, ▶ Train clicked; the clock stops when the test
// accuracy is shown (backend start, the automatic choice's probe for Auto, compilation, the epoch
// and the evaluation on the test split all included). Loading the data is timed apart, before.
// Slow on purpose: software WebGPU takes minutes. Not part of CI: `npm run bench -- firstEpoch`.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { launch, serve } from '../e2e/harness';
import type { BenchSection } from './types';

const T = (id: string) => `[data-testid="${id}"]`;
const BACKENDS = ['auto', 'wasm', 'webgl', 'cpu', 'webgpu'] as const;
/** Per backend: the whole run must end within this (software WebGPU took ~5 minutes here). */
const LIMIT_MS = 900_000;

interface Row {
  backend: string;
  loadS?: number;
  epochS?: number;
  accuracy?: number;
  chosen?: string;
  error?: string;
}

async function oneRun(page: Page, url: string, doc: object, backend: string): Promise<Row> {
  const t0 = Date.now();
  await page.goto(url);
  await page.waitForFunction(() => (window as { __nb?: { ready: boolean } }).__nb?.ready, null, { timeout: 120_000 });
  await page.evaluate((g) => (window as unknown as { __nb: { commit(g: unknown): void } }).__nb.commit(g), doc);
  await page.locator(T('tab-train')).click();
  await page.locator(T('train-panel')).waitFor({ timeout: 30_000 });
  await page.waitForFunction((sel) => /train\s+7,?650/.test(document.querySelector(sel)?.textContent ?? ''), T('data-facts'), { timeout: 180_000 });
  await page.locator(T('fit-ok')).waitFor({ timeout: 30_000 });
  const loadS = (Date.now() - t0) / 1000;
  if (backend !== 'auto') await page.locator(T('backend-select')).selectOption(backend);
  const t1 = Date.now();
  await page.locator(T('train-start')).click();
  await page.locator(T('test-accuracy')).waitFor({ timeout: LIMIT_MS });
  const epochS = (Date.now() - t1) / 1000;
  const accuracy = parseFloat(await page.locator(T('test-accuracy')).innerText());
  const chosen = await page.locator(T('backend-indicator')).innerText();
  return { backend, loadS, epochS, accuracy, chosen };
}

export async function benchFirstEpoch(): Promise<BenchSection> {
  const template = JSON.parse(readFileSync('templates/lenet5.json', 'utf8')) as { training: Record<string, unknown> };
  const doc = { ...template, training: { ...template.training, epochs: 1 } };
  const server = await serve('dev');
  const browser = await launch();
  const rows: Row[] = [];
  try {
    for (const b of BACKENDS) {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      rows.push(await oneRun(page, server.url, doc, b).catch((e: Error) => ({ backend: b, error: e.message.split('\n')[0] })));
      await page.close();
      process.stderr.write(`bench: firstEpoch ${b}: ${JSON.stringify(rows[rows.length - 1])}\n`);
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const t = template.training;
  return {
    name: 'firstEpoch',
    title: 'Time to the first trained epoch of LeNet-5 in the browser, per backend',
    method: `The app in headless Chromium (Vite dev server; WebGPU and WebGL are SwiftShader here, no GPU): the LeNet-5 template with its own training settings (batch ${String(t.batchSize)}, ${String(t.optimizer)} at ${String(t.learningRate)}) set to 1 epoch of the bundled MNIST training split (7,650 images), the backend picked in the Train panel, ▶ Train clicked. "epoch" runs from the click to the test accuracy on screen: backend start, Auto's measuring probe, compilation, the epoch and the test evaluation. "data" is opening the page and loading the data, before.`,
    table: {
      columns: ['backend picked', 'ran on', 'data s', 'first epoch s', 'test accuracy %'],
      rows: rows.map((r) => [r.backend, r.chosen ?? '—', r.loadS?.toFixed(1) ?? '—', r.epochS?.toFixed(1) ?? r.error ?? '—', r.accuracy ?? '—']),
    },
    notes: ['Each backend in a fresh page, one after another in one run; a real GPU changes the WebGPU and WebGL rows completely.'],
    data: rows,
  };
}
