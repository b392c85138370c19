// The scenario, with a real mouse and keyboard: build Input → Conv2D → Flatten → Dense from
// the palette, connect by dragging between ports, edit a param and watch the edge shape, make a
// shape error and undo it, reload, edit the JSON in Monaco, group into a macro and expand it.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { centre, drag, eventually, handle, node, type E2ETest } from './lib';

/** The shapes the edges carry (text content: a label hidden for want of room still has one). */
async function edgeLabels(page: Page): Promise<string[]> {
  return (await page.locator('.nb-edge-label').allTextContents()).map((t) => t.trim());
}

async function docState(page: Page) {
  return page.evaluate(() => {
    const s = window.__nb!.getState();
    return { nodes: s.doc.nodes.map((n) => n.id), edges: s.doc.edges.length, errors: s.analysis.errors.map((e) => e.message) };
  });
}

async function dropBlock(page: Page, type: string, at: { x: number; y: number }) {
  await drag(page, await centre(page, `[data-testid="palette-${type}"]`), at, 15);
}

async function connectPorts(page: Page, from: string, to: string, toPort = 'in') {
  await drag(page, await centre(page, handle(from, 'out', 'source')), await centre(page, handle(to, toPort, 'target')), 15);
}

export const tests: E2ETest[] = [
  {
    name: 'build, connect, edit, error, undo, reload, JSON, macro',
    async fn({ page, url, shot }) {
      await page.goto(url);
      await page.waitForFunction(() => window.__nb?.ready, null, { timeout: 120_000 });
      await page.waitForSelector('[data-testid="palette-Input"]');
      const canvas = (await page.locator('[data-testid="canvas"]').boundingBox())!;
      const y = canvas.y + canvas.height * 0.4;
      const xs = [0.12, 0.36, 0.6, 0.84].map((f) => canvas.x + canvas.width * f - 60);

      // 1. Drag four blocks from the palette; each lands where it was dropped.
      await dropBlock(page, 'Input', { x: xs[0]!, y });
      await dropBlock(page, 'Conv2D', { x: xs[1]!, y: y + 40 });
      await dropBlock(page, 'Flatten', { x: xs[2]!, y });
      await dropBlock(page, 'Dense', { x: xs[3]!, y: y + 40 });
      await eventually(async () => assert.deepEqual((await docState(page)).nodes, ['input_1', 'conv2d_1', 'flatten_1', 'dense_1']), 10_000, 'four dropped blocks');
      const box = (await page.locator(node('conv2d_1')).boundingBox())!;
      assert.ok(Math.abs(box.x - (xs[1]! - 30)) < 40 && Math.abs(box.y - (y + 40 - 16)) < 40, `Conv2D landed at the drop point (got ${box.x},${box.y})`);
      await shot('01-dropped');

      // 2. Connect by dragging from each output port to the next input port.
      await connectPorts(page, 'input_1', 'conv2d_1');
      await connectPorts(page, 'conv2d_1', 'flatten_1');
      await connectPorts(page, 'flatten_1', 'dense_1');
      await eventually(async () => assert.equal((await docState(page)).edges, 3), 5000, 'three edges');
      await eventually(async () => assert.deepEqual(await edgeLabels(page), ['28×28×1', '26×26×32', '21632']), 5000, 'edge shapes');
      assert.deepEqual((await docState(page)).errors, []);
      await shot('02-connected');

      // 3. Change a param in the inspector: the edge's shape follows at once.
      await page.locator(node('conv2d_1')).click();
      const filters = page.locator('[data-testid="param-filters"]');
      await filters.click({ clickCount: 3 });
      await page.keyboard.type('6');
      await eventually(async () => assert.equal((await edgeLabels(page))[1], '26×26×6'), 5000, 'edge shape after filters=6');
      const kernel = page.locator('[data-testid="param-kernelSize"]');
      await kernel.click({ clickCount: 3 });
      await page.keyboard.type('5');
      await eventually(async () => assert.deepEqual(await edgeLabels(page), ['28×28×1', '24×24×6', '3456']), 5000, 'edge shapes after kernelSize=5');
      // An invalid value is refused at the field, with the param check's message.
      await filters.click({ clickCount: 3 });
      await page.keyboard.type('0');
      await eventually(async () => assert.match(await page.locator('[data-testid="param-error-filters"]').innerText(), /must be ≥ 1, got 0/), 3000, 'field error');
      assert.equal((await edgeLabels(page))[1], '24×24×6');
      await filters.click({ clickCount: 3 });
      await page.keyboard.type('6');
      await shot('03-param-edited');

      // 4. A shape error: a 30×30 kernel on a 28×28 image. The node shows a red badge with the message.
      await page.waitForTimeout(1100); // a separate undo step from the kernelSize typing above
      await kernel.click({ clickCount: 3 });
      await page.keyboard.type('30');
      const badge = page.locator(`${node('conv2d_1')} [data-testid="error-badge"]`);
      await badge.waitFor({ timeout: 5000 });
      assert.match((await badge.getAttribute('title')) ?? '', /dimension ≤ 0.*smaller kernelSize/);
      await badge.hover();
      await page.locator('[data-testid="error-pop"]').waitFor({ state: 'visible', timeout: 3000 });
      assert.match(await page.locator('[data-testid="inspector-errors"]').innerText(), /Conv2D "conv2d_1"/);
      await shot('04-shape-error');

      // 5. Undo with the keyboard (focus on the canvas): the error goes, the shape is back.
      await page.mouse.click(canvas.x + canvas.width * 0.5, canvas.y + canvas.height - 40);
      await page.keyboard.press('Control+z');
      await eventually(async () => assert.equal(await badge.count(), 0), 5000, 'error gone after undo');
      assert.deepEqual(await edgeLabels(page), ['28×28×1', '24×24×6', '3456']);
      // Moves are undoable too.
      const before = (await page.locator(node('dense_1')).boundingBox())!;
      await drag(page, { x: before.x + 40, y: before.y + 10 }, { x: before.x + 40, y: before.y + 130 });
      await eventually(async () => assert.ok(((await page.locator(node('dense_1')).boundingBox())!.y - before.y) > 80), 3000, 'node moved');
      await page.keyboard.press('Control+z');
      await eventually(async () => assert.ok(Math.abs((await page.locator(node('dense_1')).boundingBox())!.y - before.y) < 3), 3000, 'move undone');
      await page.keyboard.press('Control+Shift+z');
      await eventually(async () => assert.ok(((await page.locator(node('dense_1')).boundingBox())!.y - before.y) > 80), 3000, 'move redone');
      await shot('05-undone');

      // 6. Reload: the graph is intact (autosaved to IndexedDB).
      await page.waitForTimeout(400);
      await page.reload();
      await page.waitForFunction(() => window.__nb?.ready, null, { timeout: 60_000 });
      await eventually(async () => assert.deepEqual(await edgeLabels(page), ['28×28×1', '24×24×6', '3456']), 10_000, 'shapes after reload');
      assert.deepEqual((await docState(page)).nodes, ['input_1', 'conv2d_1', 'flatten_1', 'dense_1']);
      await shot('06-reloaded');

      // 7. Edit the JSON in Monaco: replace "filters": 6 with 12 (find/replace, real keyboard).
      await page.locator('[data-testid="tab-json"]').click();
      const editor = page.locator('[data-testid="json-panel"] .monaco-editor');
      await editor.waitFor({ timeout: 60_000 });
      await eventually(async () => assert.match(await page.locator('[data-testid="json-panel"] .view-lines').innerText(), /filters/), 20_000, 'JSON in the editor');
      await page.locator('[data-testid="json-panel"] .view-lines').click();
      await page.keyboard.press('Control+h');
      await page.keyboard.type('"filters": 6');
      await page.keyboard.press('Tab');
      await page.keyboard.type('"filters": 12');
      await page.keyboard.press('Control+Alt+Enter');
      await eventually(async () => assert.equal((await edgeLabels(page))[1], '24×24×12'), 5000, 'canvas follows the JSON edit');
      await page.keyboard.press('Escape');
      await shot('07-json-edited');
      // Invalid JSON: a marker in the editor, the canvas untouched.
      await page.locator('[data-testid="json-panel"] .view-lines').click();
      await page.keyboard.press('Control+End');
      await page.keyboard.type('oops');
      await eventually(async () => assert.match(await page.locator('[data-testid="json-status"]').innerText(), /not valid JSON.*canvas is unchanged/), 5000, 'JSON error status');
      await eventually(async () => assert.ok((await page.evaluate(() => window.__nb!.jsonMarkers!())).some((m) => /not valid JSON/.test(m))), 5000, 'error marker');
      assert.equal((await edgeLabels(page))[1], '24×24×12');
      assert.equal((await docState(page)).nodes.length, 4);
      await shot('08-json-invalid');
      for (let i = 0; i < 4; i++) await page.keyboard.press('Backspace');
      await eventually(async () => assert.match(await page.locator('[data-testid="json-status"]').innerText(), /✓/), 5000, 'JSON valid again');

      // 8. Group two blocks into a macro block, then expand it again.
      await page.locator('[data-testid="tab-inspector"]').click();
      await page.locator(node('conv2d_1')).click();
      await page.keyboard.down('Shift');
      await page.locator(node('flatten_1')).click();
      await page.keyboard.up('Shift');
      await eventually(async () => assert.equal(await page.evaluate(() => window.__nb!.getState().selectedNodes.size), 2), 3000, 'two selected');
      await page.keyboard.press('Control+g');
      const dialog = page.locator('[data-testid="macro-dialog"]');
      await dialog.waitFor({ timeout: 3000 });
      await page.locator('[data-testid="macro-name"]').fill('');
      await page.keyboard.type('ConvFlat');
      await page.keyboard.press('Enter');
      await eventually(async () => {
        const s = await docState(page);
        assert.equal(s.nodes.length, 3);
        assert.deepEqual(s.errors, []);
      }, 5000, 'macro instance');
      const macroId = await page.evaluate(() => window.__nb!.getState().doc.nodes.find((n) => n.type === 'Macro')!.id);
      await eventually(async () => assert.deepEqual(await edgeLabels(page), ['28×28×1', '6912']), 5000, 'shapes through the macro');
      assert.match(await page.locator(node(macroId)).innerText(), /ConvFlat/);
      await shot('09-macro');
      await page.locator(node(macroId)).click();
      await page.keyboard.press('Control+Shift+g');
      await eventually(async () => {
        const s = await docState(page);
        assert.equal(s.nodes.length, 4);
        assert.deepEqual(s.errors, []);
      }, 5000, 'expanded');
      await eventually(async () => assert.deepEqual((await edgeLabels(page)).sort(), ['24×24×12', '28×28×1', '6912']), 5000, 'shapes after expanding');
      await shot('10-expanded');
    },
  },
  {
    name: 'malformed file: clear message, graph untouched; share link opens as a new graph',
    async fn({ page, url, shot }) {
      await page.goto(url);
      await page.waitForFunction(() => window.__nb?.ready, null, { timeout: 120_000 });
      await page.locator('[data-testid="palette-search"]').click();
      await page.keyboard.type('dense');
      await page.keyboard.press('Enter');
      await eventually(async () => assert.equal((await docState(page)).nodes.length, 1), 3000, 'Enter adds the top hit');
      assert.equal(await page.evaluate(() => window.__nb!.getState().doc.nodes[0]!.type), 'Dense');
      await page.locator('[data-testid="file-input"]').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"format": "neural-blocks.graph", "version": 1, "nodes": [}') });
      await eventually(async () => assert.match(await page.locator('[data-testid="toasts"]').innerText(), /"broken.json" is not valid JSON/), 5000, 'error toast');
      assert.equal((await docState(page)).nodes.length, 1);
      await shot('11-malformed-file');
      // A share link carries the graph; opening it adds a new graph and keeps the current one.
      const link = await page.evaluate(async () => {
        const g = { format: 'neural-blocks.graph', version: 1, name: 'Shared', nodes: [{ id: 'x', type: 'Input', params: { shape: [8] }, position: { x: 0, y: 0 } }, { id: 'd', type: 'Dense', params: { units: 3 }, position: { x: 250, y: 0 } }], edges: [{ source: 'x', target: 'd' }] };
        return window.__nb!.shareUrl(g as never);
      });
      await page.goto(link);
      await page.waitForFunction(() => window.__nb?.ready, null, { timeout: 60_000 });
      await eventually(async () => assert.deepEqual((await docState(page)).nodes, ['x', 'd']), 5000, 'shared graph');
      await eventually(async () => assert.deepEqual(await edgeLabels(page), ['8']), 5000, 'shared graph shapes');
      const names = await page.evaluate(async () => (await window.__nb!.listGraphs()).map((g) => g.name));
      assert.ok(names.includes('Shared') && names.includes('Untitled'), `both graphs kept: ${names.join(', ')}`);
      await shot('12-share-link');
    },
  },
  {
    name: 'templates, code view, summary and blocks reference',
    async fn({ page, url, shot }) {
      await page.goto(url);
      await page.waitForFunction(() => window.__nb?.ready, null, { timeout: 120_000 });
      await page.locator('[data-testid="menu-templates"]').click();
      await page.locator('.nb-menu-item', { hasText: 'LeNet-5' }).first().click();
      await eventually(async () => assert.equal((await docState(page)).nodes.length, 9), 5000, 'LeNet-5 opened');
      assert.deepEqual((await docState(page)).errors, []);
      await page.locator('[data-testid="tab-code"]').click();
      await eventually(async () => assert.match(await page.locator('[data-testid="code-panel"] .view-lines').innerText(), /tf\.layers\.conv2d/), 60_000, 'tfjs code');
      await shot('13-lenet-code');
      await page.locator('[data-testid="tab-summary"]').click();
      // LeNet-5 has 61,706 parameters.
      await eventually(async () => assert.equal(await page.locator('[data-testid="total-params"]').innerText(), '61,706'), 5000, 'summary total');
      await shot('14-lenet-summary');
      // Search-to-add: double-click empty canvas, type, Enter.
      const canvas = (await page.locator('[data-testid="canvas"]').boundingBox())!;
      await page.mouse.dblclick(canvas.x + 60, canvas.y + canvas.height - 60);
      await page.locator('[data-testid="search-add"] input').waitFor();
      await page.keyboard.type('dropout');
      await shot('15-search-add');
      await page.keyboard.press('Enter');
      await eventually(async () => assert.equal((await docState(page)).nodes.length, 10), 5000, 'block added by search');
      await page.locator('[data-testid="btn-catalog"]').click();
      await page.locator('[data-testid="catalog"]').waitFor();
      assert.ok((await page.locator('.nb-card').count()) >= 4);
      await shot('16-blocks-reference');
      await page.locator('[data-testid="btn-catalog"]').click();
      await page.locator('[data-testid="menu-templates"]').click();
      await page.locator('.nb-menu-item', { hasText: 'ResNet-152' }).first().click();
      await eventually(async () => assert.ok((await docState(page)).nodes.length > 50), 10_000, 'ResNet-152 opened');
      await page.waitForTimeout(1000);
      await shot('17-resnet152');
    },
  },
];
