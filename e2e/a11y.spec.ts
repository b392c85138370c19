// Keyboard and accessibility: a graph built, wired, selected, deleted and restored with the
// keyboard alone, and axe-core finding no serious or critical violation on the main views.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { axeViolations, eventually, node, type E2ETest } from './lib';

async function open(page: Page, url: string): Promise<void> {
  await page.goto(url, { timeout: 120_000 });
  await page.waitForFunction(() => window.__nb?.ready, null, { timeout: 120_000 });
}

const doc = (page: Page) =>
  page.evaluate(() => {
    const s = window.__nb!.getState();
    return {
      nodes: s.doc.nodes.map((n) => `${n.id}:${n.type}`),
      edges: s.doc.edges.map((e) => `${e.source}→${e.target}`),
      selected: [...s.selectedNodes],
    };
  });

/** Tabs forward until the focused element matches, as a keyboard user would (bounded). */
async function tabTo(page: Page, selector: string, max = 200): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => !!document.activeElement?.matches(s), selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

export const tests: E2ETest[] = [
  {
    name: 'a11y: a graph is built without a mouse: add, connect from a port via search, select, delete, undo',
    async fn({ page, url, shot }) {
      await open(page, url);
      // Add: Shift+A opens search-to-add at the view centre; type, Enter.
      await page.keyboard.press('Shift+A');
      await page.locator('[data-testid="search-add"] input').waitFor();
      await page.keyboard.type('input');
      await page.keyboard.press('Enter');
      await eventually(async () => assert.deepEqual((await doc(page)).nodes, ['input_1:Input']), 3000, 'Input added');
      // Connect: the new block is selected; Shift+A now searches what takes its output, and the
      // pick is added to its right, connected.
      await page.keyboard.press('Shift+A');
      await eventually(async () => assert.match((await page.locator('[data-testid="search-add"] input').getAttribute('placeholder')) ?? '', /Blocks that take/), 3000, 'search from the port');
      await page.keyboard.type('dense');
      await page.keyboard.press('Enter');
      await eventually(async () => {
        const d = await doc(page);
        assert.deepEqual(d.nodes, ['input_1:Input', 'dense_1:Dense']);
        assert.deepEqual(d.edges, ['input_1→dense_1']);
        assert.deepEqual(d.selected, ['dense_1']);
      }, 3000, 'Dense added and connected');
      await page.keyboard.press('Shift+A');
      await page.locator('[data-testid="search-add"] input').waitFor();
      await page.keyboard.type('softmax');
      await page.keyboard.press('Enter');
      await eventually(async () => assert.deepEqual((await doc(page)).edges, ['input_1→dense_1', 'dense_1→softmax_1']), 3000, 'Softmax chained');
      await eventually(async () => assert.equal(await page.locator('[data-testid="status"]').innerText(), 'valid'), 3000, 'a valid graph');
      // The view follows a block added past its edge.
      await eventually(async () => {
        const pane = (await page.locator('.nb-canvas .react-flow').boundingBox())!;
        const b = (await page.locator(node('softmax_1')).boundingBox())!;
        assert.ok(b.x >= pane.x && b.x + b.width <= pane.x + pane.width && b.y >= pane.y && b.y + b.height <= pane.y + pane.height, `softmax_1 in view: ${JSON.stringify({ b, pane })}`);
      }, 3000, 'the new block in view');
      // Select with Tab and Enter (React Flow's focusable blocks), delete it, undo.
      await tabTo(page, `${node('dense_1')}`);
      await page.keyboard.press('Enter');
      await eventually(async () => assert.deepEqual((await doc(page)).selected, ['dense_1']), 3000, 'dense_1 selected by keyboard');
      await shot('a11y-01-keyboard-built');
      await page.keyboard.press('Delete');
      await eventually(async () => assert.deepEqual((await doc(page)).nodes, ['input_1:Input', 'softmax_1:Softmax']), 3000, 'deleted');
      await page.keyboard.press('Control+z');
      await eventually(async () => assert.deepEqual((await doc(page)).edges, ['input_1→dense_1', 'dense_1→softmax_1']), 3000, 'undo restores the block and its edges');
    },
  },
  {
    name: 'a11y: axe-core finds no serious or critical violation on the editor, summary, reference and command palette',
    async fn({ page, url, shot }) {
      await open(page, url);
      const found: string[] = [];
      const check = async (view: string) => {
        for (const v of await axeViolations(page)) found.push(`${view}: ${v}`);
      };
      await check('empty editor');
      await page.locator('[data-testid="menu-templates"]').click();
      await page.locator('.nb-menu-pop .nb-menu-item', { hasText: 'LeNet-5' }).first().click();
      await page.locator(node('c1')).waitFor();
      await page.locator(node('c1')).click();
      await page.locator('[data-testid="param-filters"]').waitFor();
      await check('editor with LeNet-5, a block selected');
      await page.locator('[data-testid="tab-summary"]').click();
      await page.locator('[data-testid="total-params"]').waitFor();
      await check('summary');
      await page.locator('[data-testid="btn-catalog"]').click();
      await page.locator('[data-testid="catalog"]').waitFor();
      await check('blocks reference');
      await page.locator('[data-testid="btn-catalog"]').click();
      await page.keyboard.press('Control+k');
      await page.locator('[data-testid="command-palette"]').waitFor();
      await check('command palette');
      await shot('a11y-02-command-palette');
      assert.deepEqual(found, []);
    },
  },
];
