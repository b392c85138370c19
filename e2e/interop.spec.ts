// Taking models in and out of the canvas (issue 7), as a user does it:
// (a) weights loaded into the Train panel, then "Export PyTorch…" from the command palette: the
//     downloaded zip is unpacked here, its model.py + model.pt run in Debian's python3-torch on a
//     fixed input and must give tfjs' outputs (tfjs in Node, same graph, same weights) within 1e-4;
// (b) a PyTorch model exported to ONNX (a bidirectional nn.GRU, by python3-torch) dropped on the
//     canvas: the imported graph shows its blocks and shapes, the canvas shows its own comparison
//     with onnxruntime-web on the file (≤ 1e-4), and its PyTorch export (with the imported
//     weights) matches onnxruntime-node on the original file within 1e-4. The Import report dialog
//     opens with the file's name and shows that comparison; Esc closes it;
// (c) a PyTorch model with ops that have no block (CumSum, a lone Erf) dropped on the canvas: the
//     Import report lists each op group with its count and node names, the graph being edited is
//     unchanged, the dialog passes axe, keeps Tab inside, copies its text, reopens (command palette,
//     Graphs menu), and a file dropped on it opens as on the canvas.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { unzipSync } from 'fflate';
import { compile } from '../src/core/compile';
import type { GraphDoc } from '../src/core/graph';
import { seedWeights } from '../src/onnx/seedWeights';
import { saveModel } from '../src/train/weights';
import { axeViolations, eventually, type E2ETest } from './lib';

const PY = '/usr/bin/python3';
const T = (id: string) => `[data-testid="${id}"]`;

/** The entries of the downloaded zip (fflate's reader), each checked to be stored. */
function unzip(buf: Buffer): Map<string, Buffer> {
  const files = unzipSync(buf, {
    filter: (f) => {
      assert.equal(f.compression, 0, `${f.name} is stored`);
      return true;
    },
  });
  return new Map(Object.entries(files).map(([name, data]) => [name, Buffer.from(data)]));
}

/** Deterministic inputs in [-1, 1). */
function inputData(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

/** Runs the unpacked model.py on x (float32, `shape`) and returns its first output, flattened. */
function runPython(dir: string, x: Float32Array, shape: number[]): { shape: number[]; data: number[] } {
  writeFileSync(join(dir, 'x.bin'), Buffer.from(x.buffer, x.byteOffset, x.byteLength));
  const script = [
    'import json, sys, torch',
    'sys.path.insert(0, sys.argv[1])',
    'from model import Model, load_weights',
    'm = load_weights(Model(), sys.argv[1]).eval()',
    `x = torch.frombuffer(bytearray(open(sys.argv[1] + "/x.bin", "rb").read()), dtype=torch.float32).reshape(${JSON.stringify(shape)})`,
    'with torch.no_grad():',
    '    y = m(x)',
    'y = y[0] if isinstance(y, tuple) else y',
    'print(json.dumps({"shape": list(y.shape), "data": y.flatten().tolist()}))',
  ].join('\n');
  const r = spawnSync(PY, ['-c', script, dir], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `python3 model.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { shape: number[]; data: number[] };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'same number of outputs');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

async function openApp(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => window.__nb?.ready, null, { timeout: 120_000 });
}

/** One of src/import/torch_models.py's models exported by python3-torch (opset 13): its bytes. */
function torchOnnx(dir: string, name: string): Buffer {
  const r = spawnSync(PY, [join('src', 'import', 'torch_models.py'), dir, '13', name], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, `torch export failed: ${r.stderr}`);
  return readFileSync(join(dir, `${name}.onnx`));
}

/** Drops a file on the canvas: a real DataTransfer with the file, as the OS would hand it. */
async function dropFile(page: Page, name: string, bytes: Buffer, on = '.react-flow'): Promise<void> {
  const dt = await page.evaluateHandle(
    ([b64, n]) => {
      const bin = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
      const d = new DataTransfer();
      d.items.add(new File([bin], n, { type: 'application/octet-stream' }));
      return d;
    },
    [bytes.toString('base64'), name] as const,
  );
  const box = (await page.locator(T('canvas')).boundingBox())!;
  const at = { clientX: box.x + box.width / 2, clientY: box.y + box.height / 2 };
  for (const ev of ['dragenter', 'dragover', 'drop']) await page.dispatchEvent(on, ev, { dataTransfer: dt, ...at });
}

/** Ctrl+K, type, Enter — then the browser's download, saved under `dir`. */
async function exportFromPalette(page: Page, dir: string): Promise<Map<string, Buffer>> {
  await page.locator(T('canvas')).click({ position: { x: 30, y: 30 } });
  await page.keyboard.press('Control+K');
  await page.locator(T('command-palette')).waitFor();
  await page.keyboard.type('Export PyTorch');
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.keyboard.press('Enter')]);
  const file = join(dir, download.suggestedFilename());
  await download.saveAs(file);
  const entries = unzip(readFileSync(file));
  assert.deepEqual([...entries.keys()].sort(), ['README.md', 'model.pt', 'model.py', 'train.py']);
  const out = join(dir, 'unzipped');
  mkdirSync(out, { recursive: true });
  for (const [name, data] of entries) writeFileSync(join(out, name), data);
  return entries;
}

const SMALL_CNN: GraphDoc = {
  format: 'neural-blocks.graph',
  version: 1,
  name: 'Interop CNN',
  nodes: [
    { id: 'image', type: 'Input', params: { shape: [9, 9, 3] }, position: { x: 0, y: 0 } },
    { id: 'conv', type: 'Conv2D', params: { filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }, position: { x: 0, y: 120 } },
    { id: 'bn', type: 'BatchNormalization', params: {}, position: { x: 0, y: 240 } },
    { id: 'flat', type: 'Flatten', params: {}, position: { x: 0, y: 360 } },
    { id: 'out', type: 'Dense', params: { units: 5, activation: 'softmax' }, position: { x: 0, y: 480 } },
  ],
  edges: [
    { source: 'image', target: 'conv' },
    { source: 'conv', target: 'bn' },
    { source: 'bn', target: 'flat' },
    { source: 'flat', target: 'out' },
  ],
};

export const tests: E2ETest[] = [
  {
    name: 'interop: Export PyTorch… with the Train panel weights runs in torch like tfjs',
    async fn({ page, url, shot }) {
      const dir = mkdtempSync(join(tmpdir(), 'nb-e2e-pt-'));
      // The reference: the same graph and weights (random, BatchNorm statistics included) in tfjs.
      await tf.setBackend('cpu');
      const c = compile(SMALL_CNN);
      seedWeights(c, 5, 'parity');
      const saved = await saveModel(c.model, SMALL_CNN);
      const shape = [2, 9, 9, 3];
      const x = inputData(2 * 9 * 9 * 3, 11);
      const want = tf.tidy(() => Array.from((c.model.predict(tf.tensor(x, shape)) as tf.Tensor).dataSync()));
      c.model.dispose();

      await openApp(page, url);
      await page.evaluate((g) => window.__nb!.commit(g as never), SMALL_CNN);
      // Load the weights the way a user does: Train panel → "Load weights…" → model.json + weights.bin.
      await page.locator(T('tab-train')).click();
      await page.locator(T('upload-tfjs-input')).setInputFiles([
        { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(saved.modelJson)) },
        { name: 'weights.bin', mimeType: 'application/octet-stream', buffer: Buffer.from(saved.weights) },
      ]);
      await eventually(async () => assert.match(await page.locator(T('weights-note')).innerText(), /uploaded from model\.json/), 60_000, 'weights loaded');

      const entries = await exportFromPalette(page, dir);
      await eventually(async () => assert.match(await page.locator('.nb-toast').last().innerText(), /Exported interop-cnn-pytorch\.zip .* with weights uploaded from model\.json/), 10_000, 'export toast');
      await shot('interop-01-exported');
      const py = entries.get('model.py')!.toString('utf8');
      assert.match(py, /class InteropCNN\(nn\.Module\)/);
      assert.match(entries.get('train.py')!.toString('utf8'), /DistributedDataParallel/);
      const got = runPython(join(dir, 'unzipped'), x, shape);
      assert.deepEqual(got.shape, [2, 5]);
      const diff = maxAbsDiff(got.data, want);
      console.log(`  PyTorch export from the canvas: max |torch − tfjs| = ${diff.toExponential(2)} over ${want.length} outputs`);
      assert.ok(diff <= 1e-4, `max |torch − tfjs| ${diff} > 1e-4`);
    },
  },
  {
    name: 'interop: a PyTorch bidirectional GRU .onnx dropped on the canvas imports, and exports back to PyTorch',
    async fn({ page, url, shot }) {
      const dir = mkdtempSync(join(tmpdir(), 'nb-e2e-onnx-'));
      const bytes = torchOnnx(dir, 'bigru');

      await openApp(page, url);
      await dropFile(page, 'bigru.onnx', bytes);

      const doc = await eventually(async () => {
        const d = await page.evaluate(() => window.__nb!.getState().doc as GraphDoc);
        assert.ok(d.nodes.some((n) => n.type === 'Bidirectional'), `imported graph (has ${d.nodes.map((n) => n.type).join(', ')})`);
        return d;
      }, 60_000, 'the imported graph');
      // The canvas runs the CLI's --compare itself: the imported graph (tfjs in the page) against
      // onnxruntime-web on the dropped file, and the Import report shows the largest difference.
      const report = page.locator(T('import-report'));
      await report.waitFor({ timeout: 20_000 });
      assert.equal(await report.locator('h3').innerText(), 'bigru.onnx');
      assert.match(await report.innerText(), /Imported as the new graph "[^"]+": 7 blocks, \d+ connections, [\d,]+ trainable parameters/);
      const line = await eventually(async () => {
        const text = await page.locator(T('import-report-compare')).innerText();
        assert.match(text, /largest difference vs the original file/, `the comparison in the report (now: ${text})`);
        return text;
      }, 60_000, 'the comparison in the Import report');
      const m = /Matches the original file\. bigru\.onnx: largest difference vs the original file: (\d\.\d\de[-+]\d+) \(tfjs \w+ vs onnxruntime-web, random input of batch 2; outputs up to ([\d.e+-]+)\)/.exec(line);
      assert.ok(m, `comparison line: ${line}`);
      console.log(`  canvas import check: ${line}`);
      assert.ok(Number(m[1]) <= 1e-4, `largest difference ${m[1]} > 1e-4`);
      assert.ok(Number(m[2]) > 0.05, `outputs up to ${m[2]}: too small for the difference to mean anything`);
      await shot('interop-02-import-report');
      await page.keyboard.press('Escape');
      await report.waitFor({ state: 'detached', timeout: 5000 });
      const types = doc.nodes.map((n) => n.type).sort();
      assert.deepEqual(types, ['Add', 'Bidirectional', 'Concatenate', 'Dense', 'Dense', 'GlobalAveragePooling1D', 'Input'].sort());
      const bi = doc.nodes.find((n) => n.type === 'Bidirectional')!;
      assert.equal(bi.params?.layer, 'GRU');
      assert.equal(bi.params?.resetAfter, true);
      // Every block is on the canvas with its output shape.
      for (const n of doc.nodes) await page.locator(T(`node-${n.id}`)).waitFor({ timeout: 20_000 });
      const shapeOf = async (id: string) => (await page.locator(`${T(`node-${id}`)} ${T('out-shape')}`).first().innerText()).replace(/\s+/g, '');
      assert.equal(await shapeOf(doc.nodes.find((n) => n.type === 'Input')!.id), '7×6');
      assert.equal(await shapeOf(doc.nodes.find((n) => n.type === 'Add')!.id), '3');
      // The Bidirectional's ports: the sequence [7, 2·5] and the two final states [5].
      const biText = await page.locator(T(`node-${bi.id}`)).innerText();
      assert.match(biText, /7×10/);
      assert.match(biText, /hBack/);
      await shot('interop-03-imported');

      // Its PyTorch export (imported weights) against onnxruntime on the original file.
      const entries = await exportFromPalette(page, dir);
      assert.match(entries.get('model.py')!.toString('utf8'), /Bidirectional\("concat", native=True/);
      const shape = [3, 7, 6];
      const x = inputData(3 * 7 * 6, 5);
      const sess = await ort.InferenceSession.create(new Uint8Array(bytes));
      const ref = (await sess.run({ [sess.inputNames[0]!]: new ort.Tensor('float32', x, shape) }))[sess.outputNames[0]!]!.data as Float32Array;
      await sess.release();
      const got = runPython(join(dir, 'unzipped'), x, shape);
      assert.deepEqual(got.shape, [3, 3]);
      const diff = maxAbsDiff(got.data, ref);
      console.log(`  imported bidirectional GRU → PyTorch export: max |torch − onnxruntime| = ${diff.toExponential(2)}`);
      assert.ok(diff <= 1e-4, `max |torch − onnxruntime| ${diff} > 1e-4`);
    },
  },
  {
    name: 'interop: a PyTorch model with ops that have no block is refused with an Import report; the graph being edited is unchanged',
    async fn({ page, url, shot }) {
      // torch writes a running sum as CumSum and x·erf(x) as a lone Erf: neither has a block.
      const bytes = torchOnnx(mkdtempSync(join(tmpdir(), 'nb-e2e-refused-')), 'cumsum');

      await openApp(page, url);
      await page.evaluate((g) => window.__nb!.commit(g as never), SMALL_CNN);
      const before = await page.evaluate(() => ({ id: window.__nb!.getState().docId, doc: JSON.stringify(window.__nb!.getState().doc) }));
      await dropFile(page, 'cumsum.onnx', bytes);

      const report = page.locator(T('import-report'));
      await report.waitFor({ timeout: 60_000 });
      assert.equal(await report.getAttribute('role'), 'dialog');
      assert.equal(await report.locator('h3').innerText(), 'cumsum.onnx');
      // Focus moves into the dialog, on the report (arrow keys scroll it).
      const focused = () => page.evaluate(() => (document.activeElement?.closest('[data-testid="import-report"]') ? ((document.activeElement as HTMLElement).dataset.testid ?? document.activeElement!.tagName) : 'outside'));
      assert.equal(await focused(), 'import-report-body');
      const text = await report.innerText();
      assert.match(text, /cumsum\.onnx cannot be imported: 6 nodes \(2 kinds of op\) have no block\./);
      assert.match(await page.locator(T('import-report-unchanged')).innerText(), /^Nothing was written; your current graph is unchanged\.$/);
      const groups = await page.locator(T('import-report-group')).allInnerTexts();
      assert.equal(groups.length, 2, `op groups: ${groups.join(' | ')}`);
      assert.match(groups[0]!, /^CumSum ×5\nno block for ONNX op CumSum\nnodes: "\/CumSum", "\/CumSum_1", "\/CumSum_2" and 2 more/);
      assert.match(groups[1]!, /^Erf ×1\nno block for ONNX op Erf\nnode: "\/Erf"\nwould cover it: GELU is mapped when written as torch exports it/);
      // Every name of a large group is there to read.
      await report.locator('summary', { hasText: 'all 5 node names' }).click();
      assert.match(await page.locator(T('import-report-group')).first().innerText(), /"\/CumSum", "\/CumSum_1", "\/CumSum_2" and 2 more[\s\S]*\/CumSum, \/CumSum_1, \/CumSum_2, \/CumSum_3, \/CumSum_4/);
      // Nothing changed: the same graph, the same document.
      const after = await page.evaluate(() => ({ id: window.__nb!.getState().docId, doc: JSON.stringify(window.__nb!.getState().doc) }));
      assert.deepEqual(after, before);
      await shot('interop-04-refused-report');
      assert.deepEqual(await axeViolations(page), []);

      // The keyboard stays in the dialog: Tab cycles through its controls.
      for (let i = 0; i < 6; i++) {
        await page.keyboard.press('Tab');
        assert.notEqual(await focused(), 'outside', `Tab ${i + 1} left the dialog`);
      }
      // Copy report: the plain-text lines, as the CLI prints the groups.
      await report.locator(T('import-report-copy')).click();
      await eventually(async () => assert.match(await report.innerText(), /Copied/), 5000, 'copied');
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      assert.match(copied, /^Import report: cumsum\.onnx\ncumsum\.onnx cannot be imported: 6 nodes \(2 kinds of op\) have no block\.\nNothing was written; your current graph is unchanged\.\n {2}CumSum ×5: no block for ONNX op CumSum\n {4}nodes: "\/CumSum", "\/CumSum_1", "\/CumSum_2" and 2 more\n {2}Erf ×1: /);
      await page.keyboard.press('Escape');
      await report.waitFor({ state: 'detached', timeout: 5000 });

      // Reopened from the command palette.
      await page.keyboard.press('Control+K');
      await page.locator(T('command-palette')).waitFor();
      // (its field takes focus a tick later; keys before that go to the canvas' shortcuts)
      await page.waitForFunction(() => document.activeElement?.matches('[data-testid="command-palette"] input'));
      await page.keyboard.type('Last import report');
      await page.keyboard.press('Enter');
      await report.waitFor({ timeout: 5000 });
      assert.equal(await page.locator(T('import-report-group')).count(), 2);
      await report.locator(T('import-report-close')).click();
      await report.waitFor({ state: 'detached', timeout: 5000 });
      assert.deepEqual(await page.evaluate(() => ({ id: window.__nb!.getState().docId, doc: JSON.stringify(window.__nb!.getState().doc) })), before);

      // The next file dropped while the report is open opens as on the canvas; the report closes.
      await page.locator(T('menu-graphs')).click();
      await page.locator('.nb-menu-pop .nb-menu-item', { hasText: 'Last import report' }).click();
      await report.waitFor({ timeout: 5000 });
      await dropFile(page, 'next.json', Buffer.from(JSON.stringify({ ...SMALL_CNN, name: 'Dropped next' })), '.nb-ir-back');
      await report.waitFor({ state: 'detached', timeout: 5000 });
      await eventually(async () => assert.equal(await page.evaluate(() => window.__nb!.getState().doc.name), 'Dropped next'), 10_000, 'the dropped graph opened');
    },
  },
];
