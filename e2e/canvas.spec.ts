// Canvas editing with a real mouse and keyboard: copy/paste, box selection, multi-node drag,
// keyboard nudges, auto-layout and undo, one undo step per drag, and the JSON panel's markers on
// the offending line. The graph is set up through window.__nb.commit; every user action is a
// real click, drag or key press, and the assertions read the document (window.__nb.getState()).
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { centre, drag, eventually, handle, node, type E2ETest } from './lib';
import type { GraphDoc } from '../src/core/graph';

type XY = { x: number; y: number };

/** Input x → d1 → d2, and x → d3 (d3 below d1). Positions in flow coordinates. */
const GRAPH: GraphDoc = {
  format: 'neural-blocks.graph',
  version: 1,
  name: 'canvas e2e',
  nodes: [
    { id: 'x', type: 'Input', params: { shape: [16] }, position: { x: 40, y: 60 } },
    { id: 'd1', type: 'Dense', params: { units: 10 }, position: { x: 340, y: 60 } },
    { id: 'd2', type: 'Dense', params: { units: 4 }, position: { x: 640, y: 60 } },
    { id: 'd3', type: 'Dense', params: { units: 7 }, position: { x: 340, y: 330 } },
  ],
  edges: [
    { id: 'a', source: 'x', target: 'd1' },
    { id: 'b', source: 'd1', target: 'd2' },
    { id: 'c', source: 'x', target: 'd3' },
  ],
};

async function open(page: Page, url: string): Promise<void> {
  await page.goto(url, { timeout: 120_000 });
  await page.waitForFunction(() => window.__nb?.ready, null, { timeout: 120_000 });
  await page.evaluate((g) => window.__nb!.commit(g as never), GRAPH);
  await page.locator(node('d3')).waitFor();
  // Fresh context, empty graph before the commit: the canvas shows flow coordinates 1:1.
  await eventually(async () => assert.equal(await page.evaluate(() => document.querySelectorAll('.react-flow__node').length), 4), 5000, 'four nodes drawn');
}

interface Snap {
  nodes: { id: string; type: string; x: number; y: number }[];
  edges: { id: string; source: string; target: string; sourceHandle?: string; targetHandle?: string }[];
  selected: string[];
  past: number;
  future: number;
}

async function snap(page: Page): Promise<Snap> {
  return page.evaluate(() => {
    const s = window.__nb!.getState();
    return {
      nodes: s.doc.nodes.map((n) => ({ id: n.id, type: n.type, x: n.position?.x ?? NaN, y: n.position?.y ?? NaN })),
      edges: s.doc.edges.map((e) => ({ id: e.id ?? '', source: e.source, target: e.target, sourceHandle: e.sourceHandle, targetHandle: e.targetHandle })),
      selected: [...s.selectedNodes].sort(),
      past: s.past.length,
      future: s.future.length,
    };
  });
}

const pos = (s: Snap, id: string): XY => {
  const n = s.nodes.find((x) => x.id === id);
  if (!n) throw new Error(`no node "${id}" in ${s.nodes.map((x) => x.id).join(', ')}`);
  return { x: n.x, y: n.y };
};

async function box(page: Page, id: string) {
  const b = await page.locator(node(id)).boundingBox();
  if (!b) throw new Error(`node ${id} is not visible`);
  return b;
}

/**
 * Presses on a node's title bar and drags it in small steps. React Flow starts a drag once the
 * pointer has moved past its threshold and moves the node from there, so a first 2 px step starts
 * the drag and the node then moves by exactly (dx, dy) screen pixels.
 */
async function dragNode(page: Page, id: string, dx: number, dy: number): Promise<void> {
  const b = await box(page, id);
  const from = { x: b.x + 24, y: b.y + 10 };
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 2, from.y);
  for (let i = 1; i <= 15; i++) await page.mouse.move(from.x + 2 + (dx * i) / 15, from.y + (dy * i) / 15);
  await page.mouse.up();
}

/** The canvas zoom (flow units per screen pixel are 1/zoom). */
async function zoom(page: Page): Promise<number> {
  return page.evaluate(() => {
    const m = /matrix\(([^,]+)/.exec(getComputedStyle(document.querySelector('.react-flow__viewport')!).transform);
    return m ? Number(m[1]) : 1;
  });
}

function near(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: expected ${expected} ± ${tol}, got ${actual}`);
}

export const tests: E2ETest[] = [
  {
    name: 'canvas: copy and paste give new ids and the internal edges',
    async fn({ page, url, shot }) {
      await open(page, url);
      const before = await snap(page);
      await page.locator(node('d1')).click();
      await page.keyboard.down('Shift');
      await page.locator(node('d2')).click();
      await page.keyboard.up('Shift');
      await eventually(async () => assert.deepEqual((await snap(page)).selected, ['d1', 'd2']), 3000, 'd1 and d2 selected');
      await page.keyboard.press('Control+c');
      await page.keyboard.press('Control+v');
      const after = await eventually(async () => {
        const s = await snap(page);
        assert.equal(s.nodes.length, 6);
        return s;
      }, 5000, 'two pasted nodes');
      const oldIds = new Set(before.nodes.map((n) => n.id));
      const added = after.nodes.filter((n) => !oldIds.has(n.id));
      assert.equal(added.length, 2);
      assert.deepEqual(added.map((n) => n.type), ['Dense', 'Dense']);
      // New ids, pasted 40 px down and right of the originals, and selected.
      const [p1, p2] = added as [Snap['nodes'][0], Snap['nodes'][0]];
      assert.deepEqual({ x: p1.x, y: p1.y }, { x: 380, y: 100 });
      assert.deepEqual({ x: p2.x, y: p2.y }, { x: 680, y: 100 });
      assert.deepEqual(after.selected, [p1.id, p2.id].sort());
      // Only the edge between the copied blocks comes along (x → d1 does not), with a new id.
      const newEdges = after.edges.filter((e) => !before.edges.some((o) => o.id === e.id));
      assert.equal(newEdges.length, 1, JSON.stringify(newEdges));
      assert.equal(newEdges[0]!.source, p1.id);
      assert.equal(newEdges[0]!.target, p2.id);
      assert.ok(!['a', 'b', 'c'].includes(newEdges[0]!.id));
      // The originals are untouched; the pasted blocks and their edge are drawn. The pasted copy of
      // d1 has lost its input (x → d1 was not copied), so the analysis flags it.
      assert.deepEqual(after.nodes.slice(0, 4), before.nodes);
      await page.locator(node(p2.id)).waitFor();
      // (attached, not "visible": a level edge has a zero-height box)
      const path = page.locator(`[data-testid="rf__edge-${newEdges[0]!.id}"] path.react-flow__edge-path`);
      await path.waitFor({ state: 'attached' });
      assert.match((await path.getAttribute('d')) ?? '', /^M ?[\d.-]+[ ,][\d.-]+/);
      const errs = await page.evaluate((id) => window.__nb!.getState().analysis.errors.filter((e) => e.node === id).map((e) => e.kind), p1.id);
      assert.deepEqual(errs, ['missing-input']);
      await shot('canvas-01-pasted');
      // Pasting again offsets further; one undo removes exactly that paste.
      await page.keyboard.press('Control+v');
      await eventually(async () => assert.equal((await snap(page)).nodes.length, 8), 5000, 'second paste');
      const third = (await snap(page)).nodes.slice(6);
      assert.deepEqual(third.map((n) => [n.x, n.y]), [[420, 140], [720, 140]]);
      await page.keyboard.press('Control+z');
      await eventually(async () => assert.deepEqual((await snap(page)).nodes.map((n) => n.id), after.nodes.map((n) => n.id)), 3000, 'undo the second paste');
    },
  },
  {
    name: 'canvas: shift+drag box selects exactly the blocks inside; they drag together as one undo step',
    async fn({ page, url, shot }) {
      await open(page, url);
      const d1 = await box(page, 'd1');
      const d2 = await box(page, 'd2');
      const d3 = await box(page, 'd3');
      const x = await box(page, 'x');
      // A box from just above-left of d1 to just below-right of d2: it holds d1 and d2 whole and
      // stays clear of x (left) and d3 (below).
      const from = { x: d1.x - 15, y: Math.min(d1.y, d2.y) - 15 };
      const to = { x: d2.x + d2.width + 15, y: Math.max(d1.y + d1.height, d2.y + d2.height) + 15 };
      assert.ok(from.x > x.x + x.width && to.y < d3.y, `the box must miss x and d3 (box ${JSON.stringify({ from, to })})`);
      await page.keyboard.down('Shift');
      await page.mouse.move(from.x, from.y);
      await page.mouse.down();
      for (let i = 1; i <= 12; i++) await page.mouse.move(from.x + ((to.x - from.x) * i) / 12, from.y + ((to.y - from.y) * i) / 12);
      await page.mouse.up();
      await page.keyboard.up('Shift');
      await eventually(async () => assert.deepEqual((await snap(page)).selected, ['d1', 'd2']), 3000, 'box selection');
      await shot('canvas-02-box-selected');

      // Drag one of them: both move by the same amount; the document takes one undo step.
      const before = await snap(page);
      const z = await zoom(page);
      await dragNode(page, 'd1', 90, 120);
      const after = await eventually(async () => {
        const s = await snap(page);
        assert.notDeepEqual(pos(s, 'd2'), pos(before, 'd2'));
        return s;
      }, 3000, 'the selection moved');
      for (const id of ['d1', 'd2']) {
        near(pos(after, id).x - pos(before, id).x, 90 / z, 2, `${id} moved right`);
        near(pos(after, id).y - pos(before, id).y, 120 / z, 2, `${id} moved down`);
      }
      assert.deepEqual(pos(after, 'd3'), pos(before, 'd3'));
      assert.deepEqual(pos(after, 'x'), pos(before, 'x'));
      assert.equal(after.past, before.past + 1, 'one undo step for the whole drag');
      await page.keyboard.press('Control+z');
      await eventually(async () => {
        const s = await snap(page);
        assert.deepEqual(s.nodes, before.nodes);
        assert.equal(s.past, before.past);
      }, 3000, 'one undo puts both back');
      // The canvas follows the document: d2 is drawn where it was.
      await eventually(async () => {
        const b = await box(page, 'd2');
        near(b.x, d2.x, 1, 'd2 drawn back (x)');
        near(b.y, d2.y, 1, 'd2 drawn back (y)');
      }, 3000, 'd2 back on screen');
    },
  },
  {
    name: 'canvas: a drag is one undo step; Ctrl+Z puts the block back, Ctrl+Shift+Z redoes; arrow keys nudge',
    async fn({ page, url, shot }) {
      await open(page, url);
      const before = await snap(page);
      const screenBefore = await box(page, 'd3');
      const z = await zoom(page);
      await dragNode(page, 'd3', 160, 70);
      const moved = await eventually(async () => {
        const s = await snap(page);
        assert.notDeepEqual(pos(s, 'd3'), pos(before, 'd3'));
        return s;
      }, 3000, 'd3 moved');
      near(pos(moved, 'd3').x, 340 + 160 / z, 2, 'd3 x after the drag');
      near(pos(moved, 'd3').y, 330 + 70 / z, 2, 'd3 y after the drag');
      assert.equal(moved.past, before.past + 1, `15 mouse moves make one undo step (past ${before.past} → ${moved.past})`);
      assert.deepEqual(moved.selected, ['d3']);
      await shot('canvas-03-dragged');
      await page.keyboard.press('Control+z');
      await eventually(async () => assert.deepEqual(pos(await snap(page), 'd3'), { x: 340, y: 330 }), 3000, 'undo puts d3 back');
      await eventually(async () => {
        const b = await box(page, 'd3');
        near(b.x, screenBefore.x, 1, 'd3 drawn back (x)');
        near(b.y, screenBefore.y, 1, 'd3 drawn back (y)');
      }, 3000, 'd3 back on screen');
      assert.equal((await snap(page)).past, before.past);
      await page.keyboard.press('Control+Shift+z');
      await eventually(async () => assert.deepEqual(pos(await snap(page), 'd3'), pos(moved, 'd3')), 3000, 'redo moves it again');
      await page.keyboard.press('Control+z');
      await eventually(async () => assert.deepEqual(pos(await snap(page), 'd3'), { x: 340, y: 330 }), 3000, 'undone again');

      // Arrow keys move the selected (focused) block 5 px a press; quick presses are one undo step.
      await page.locator(node('d3')).click();
      const s0 = await snap(page);
      for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
      await eventually(async () => assert.deepEqual(pos(await snap(page), 'd3'), { x: 355, y: 330 }), 3000, 'nudged 15 px right');
      assert.equal((await snap(page)).past, s0.past + 1);
      await page.keyboard.press('Control+z');
      await eventually(async () => assert.deepEqual(pos(await snap(page), 'd3'), { x: 340, y: 330 }), 3000, 'nudge undone');
    },
  },
  {
    name: 'canvas: auto-layout moves the blocks; undo restores every position',
    async fn({ page, url, shot }) {
      await open(page, url);
      const before = await snap(page);
      // Focus the canvas (not a field), then Shift+L runs the auto-layout action.
      const canvas = (await page.locator('[data-testid="canvas"]').boundingBox())!;
      await page.mouse.click(canvas.x + canvas.width - 60, canvas.y + canvas.height - 60);
      await page.keyboard.press('Shift+L');
      const laid = await eventually(async () => {
        const s = await snap(page);
        assert.equal(s.past, before.past + 1);
        return s;
      }, 10_000, 'auto-layout committed');
      assert.notDeepEqual(laid.nodes, before.nodes);
      // ELK's layered layout (long chains wrap into rows): no two blocks overlap on screen.
      await page.waitForTimeout(400); // the fit-view animation after the layout
      const boxes = await Promise.all(['x', 'd1', 'd2', 'd3'].map(async (id) => ({ id, ...(await box(page, id)) })));
      for (const a of boxes)
        for (const b of boxes)
          if (a.id < b.id)
            assert.ok(a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y, `${a.id} and ${b.id} overlap: ${JSON.stringify([a, b])}`);
      await shot('canvas-04-laid-out');
      await page.keyboard.press('Control+z');
      await eventually(async () => assert.deepEqual((await snap(page)).nodes, before.nodes), 3000, 'undo restores the positions');
      await page.keyboard.press('Control+Shift+z');
      await eventually(async () => assert.deepEqual((await snap(page)).nodes, laid.nodes), 3000, 'redo re-applies the layout');
    },
  },
  {
    name: 'canvas: the JSON panel marks a bad value on its own line',
    async fn({ page, url, shot }) {
      await open(page, url);
      await page.locator('[data-testid="tab-json"]').click();
      const lines = page.locator('[data-testid="json-panel"] .view-lines');
      // Monaco loads lazily (the first time, the dev server bundles it): allow it time.
      await lines.waitFor({ timeout: 180_000 });
      await eventually(async () => assert.match(await lines.innerText(), /"units"/), 30_000, 'JSON in the editor');
      const markerLines = () =>
        page.evaluate(() => (window.__nb as unknown as { jsonMarkerLines: () => { line: number; message: string }[] }).jsonMarkerLines());
      const textNow = () => page.evaluate(() => JSON.stringify(window.__nb!.getState().doc, null, 2) + '\n');
      const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
      const replaceAll = async (find: string, repl: string) => {
        await lines.click();
        await page.keyboard.press('Control+h');
        await page.keyboard.press('Control+a');
        await page.keyboard.type(find);
        await page.keyboard.press('Tab');
        await page.keyboard.press('Control+a');
        await page.keyboard.type(repl);
        await page.keyboard.press('Control+Alt+Enter');
        await page.keyboard.press('Escape');
      };

      // A bad param value: the graph applies (the canvas shows the error) and the marker sits on
      // the "units": -3 line, not line 1.
      await replaceAll('"units": 4', '"units": -3');
      await eventually(async () => assert.equal(await page.evaluate(() => window.__nb!.getState().doc.nodes[2]!.params!.units), -3), 5000, 'canvas took the edit');
      const text = await textNow();
      const want = lineOf(text, '"units": -3');
      assert.ok(want > 1);
      await eventually(async () => {
        const ms = await markerLines();
        const m = ms.find((x) => /units/.test(x.message));
        assert.ok(m, `a units marker among ${JSON.stringify(ms)}`);
        assert.equal(m.line, want);
      }, 5000, 'param marker on its line');
      await page.locator(`${node('d2')} [data-testid="error-badge"]`).waitFor({ timeout: 3000 });
      await shot('canvas-05-json-param-marker');

      // A structural error (an edge end that is not a string): canvas untouched, marker on that line.
      const edgesBefore = await page.evaluate(() => window.__nb!.getState().doc.edges.map((e) => e.source));
      await replaceAll('"source": "d1"', '"source": 5');
      await eventually(async () => assert.match(await page.locator('[data-testid="json-status"]').innerText(), /edges\[1\]: "source" must be a node id string, got 5.*canvas is unchanged/), 5000, 'format error status');
      const text2 = text.replace('"source": "d1"', '"source": 5');
      await eventually(async () => {
        const ms = await markerLines();
        assert.deepEqual(ms.map((m) => m.line), [lineOf(text2, '"source": 5')], JSON.stringify(ms));
      }, 5000, 'format marker on the edge line');
      assert.deepEqual(await page.evaluate(() => window.__nb!.getState().doc.edges.map((e) => e.source)), edgesBefore);
      await shot('canvas-06-json-format-marker');

      // Text that is not JSON at all: the message names the editor text, not "JSON is not valid JSON".
      await replaceAll('"source": 5', '"source": 5,,');
      await eventually(async () => assert.match(await page.locator('[data-testid="json-status"]').innerText(), /⚠ the editor text is not valid JSON: .*canvas is unchanged/), 5000, 'syntax error status');
      assert.doesNotMatch(await page.locator('[data-testid="json-status"]').innerText(), /JSON is not valid JSON/);
    },
  },
  {
    name: 'canvas: Redo enables after Ctrl+Z of a move; menus close on Escape, and the click that closes one does nothing else',
    async fn({ page, url, shot }) {
      await open(page, url);
      const redo = page.locator('[data-testid="btn-redo"]');
      const past0 = (await snap(page)).past;
      await dragNode(page, 'd3', 120, 40);
      await eventually(async () => assert.equal((await snap(page)).past, past0 + 1), 3000, 'the move committed');
      assert.equal(await redo.isDisabled(), true);
      // An undo of a move leaves the error count (and past + future) as it was: Redo must still light up.
      await page.keyboard.press('Control+z');
      await eventually(async () => assert.equal((await snap(page)).future, 1), 3000, 'undone');
      await eventually(async () => assert.equal(await redo.isDisabled(), false), 3000, 'Redo enabled after the undo');
      await redo.click();
      await eventually(async () => assert.equal((await snap(page)).future, 0), 3000, 'the toolbar Redo redid');

      // Escape closes a menu.
      const menu = page.locator('.nb-menu-pop');
      await page.locator('[data-testid="menu-templates"]').click();
      await menu.waitFor();
      await page.keyboard.press('Escape');
      await eventually(async () => assert.equal(await menu.count(), 0), 3000, 'Escape closed the menu');
      // A click outside closes it and is not passed on: clicking a palette block to dismiss the
      // menu adds no block.
      const before = (await snap(page)).nodes.length;
      await page.locator('[data-testid="menu-templates"]').click();
      await menu.waitFor();
      await shot('canvas-07-menu-open');
      await page.locator('[data-testid="palette-Dense"]').click();
      await eventually(async () => assert.equal(await menu.count(), 0), 3000, 'the click closed the menu');
      await page.waitForTimeout(200);
      assert.equal((await snap(page)).nodes.length, before, 'the closing click added no block');
      // The next click acts as usual.
      await page.locator('[data-testid="palette-Dense"]').click();
      await eventually(async () => assert.equal((await snap(page)).nodes.length, before + 1), 3000, 'a later click adds');
    },
  },
  {
    name: 'canvas: a new graph greets with a hint, and its first dropped block lands under the cursor at 100%',
    async fn({ page, url, shot }) {
      await page.goto(url, { timeout: 120_000 });
      await page.waitForFunction(() => window.__nb?.ready, null, { timeout: 120_000 });
      await page.locator('[data-testid="menu-graphs"]').click();
      await page.locator('.nb-menu-pop .nb-menu-item', { hasText: 'New graph' }).click();
      const status = page.locator('[data-testid="status"]');
      await eventually(async () => assert.match(await status.innerText(), /empty/), 3000, 'the empty hint');
      assert.doesNotMatch(await status.innerText(), /problem/);
      assert.doesNotMatch((await status.getAttribute('class')) ?? '', /\bbad\b/);
      const canvas = (await page.locator('[data-testid="canvas"]').boundingBox())!;
      const at = { x: canvas.x + canvas.width * 0.3, y: canvas.y + canvas.height * 0.35 };
      await drag(page, await centre(page, '[data-testid="palette-Conv2D"]'), at, 15);
      const id = await eventually(async () => {
        const s = await snap(page);
        assert.equal(s.nodes.length, 1);
        return s.nodes[0]!.id;
      }, 3000, 'dropped');
      await page.waitForTimeout(500); // a queued fit would have jumped the view by now
      assert.equal(await zoom(page), 1);
      const b = await box(page, id);
      // The cursor holds the block's title: 30 px in from its left, 16 px down.
      near(b.x, at.x - 30, 3, 'block left edge under the cursor');
      near(b.y, at.y - 16, 3, 'block top under the cursor');
      await shot('canvas-08-first-drop');
    },
  },
  {
    name: 'canvas: error popup whole at the canvas edge; unknown type keeps its edge; float tensors are not offered Embedding; returnSequences hint; wording',
    async fn({ page, url, shot }) {
      await open(page, url);
      // An LSTM feeding Attention without returnSequences, placed at the canvas's right edge.
      const canvas = (await page.locator('[data-testid="canvas"]').boundingBox())!;
      const right = canvas.width - 235;
      await page.evaluate((x) => {
        const s = window.__nb!.getState();
        window.__nb!.commit({
          ...s.doc,
          nodes: [
            ...s.doc.nodes.map((n) => (n.id === 'd2' ? { ...n, type: 'Dence' } : n.id === 'd3' ? { ...n, params: { units: 1 } } : n)),
            { id: 'seq', type: 'Input', params: { shape: [5, 3] }, position: { x: x - 560, y: 560 } },
            { id: 'rnn', type: 'LSTM', params: { units: 8 }, position: { x: x - 300, y: 560 } },
            { id: 'att', type: 'Attention', params: {}, position: { x, y: 560 } },
          ],
          edges: [
            ...s.doc.edges,
            { id: 'f', source: 'seq', target: 'rnn' },
            { id: 'g', source: 'rnn', target: 'att', targetHandle: 'query' },
            { id: 'h', source: 'rnn', target: 'att', targetHandle: 'value' },
          ],
        });
      }, right);
      // An unknown type ("Dence"): its block shows the error and its incoming edge b stays drawn.
      await page.locator(`${node('d2')} [data-testid="error-badge"]`).waitFor();
      await page.locator('[data-testid="rf__edge-b"] path.react-flow__edge-path').waitFor({ state: 'attached' });
      assert.match(await page.locator('.nb-statusbar').innerText(), /7 blocks · 6 connections/);
      // "1 unit", not "1 units".
      assert.match(await page.locator(`${node('d3')} .nb-node-params`).innerText(), /^1 unit$/);
      // The Attention block's popup: whole and on top at the canvas's right edge, with the hint.
      await page.locator(`${node('att')} [data-testid="error-badge"]`).hover();
      const pop = page.locator('[data-testid="error-pop"]');
      await pop.waitFor();
      assert.match(await pop.innerText(), /turn on returnSequences on LSTM "rnn"/);
      const r = (await pop.boundingBox())!;
      const vp = page.viewportSize()!;
      assert.ok(r.x >= 0 && r.y >= 0 && r.x + r.width <= vp.width && r.y + r.height <= vp.height, `popup inside the window: ${JSON.stringify(r)}`);
      const corners = [[r.x + 4, r.y + 4], [r.x + r.width - 4, r.y + 4], [r.x + r.width - 4, r.y + r.height - 4], [r.x + 4, r.y + r.height - 4]];
      for (const [x, y] of corners)
        assert.ok(await page.evaluate(([px, py]) => !!document.elementFromPoint(px!, py!)?.closest('[data-testid="error-pop"]'), [x, y]), `popup drawn at (${x}, ${y})`);
      await shot('canvas-09-error-popup-at-edge');
      await page.mouse.move(canvas.x + 20, canvas.y + 20);

      // Search-to-add from a float tensor (Input x, [16] float32): no Embedding on offer.
      const from = await centre(page, handle('x', 'out', 'source'));
      await drag(page, from, { x: from.x + 60, y: from.y + 200 }, 10);
      const list = page.locator('[data-testid="search-add"] .nb-searchadd-list');
      await list.waitFor();
      const offered = await list.innerText();
      assert.match(offered, /Dense/);
      assert.doesNotMatch(offered, /Embedding/);
      await page.keyboard.press('Escape');
      // The palette's search placeholder is not cut off.
      const fits = await page.evaluate(() => {
        const el = document.querySelector<HTMLInputElement>('[data-testid="palette-search"]')!;
        const cs = getComputedStyle(el);
        const ctx = document.createElement('canvas').getContext('2d')!;
        ctx.font = `${cs.fontSize} ${cs.fontFamily}`;
        return { text: ctx.measureText(el.placeholder).width, room: el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) };
      });
      assert.ok(fits.text <= fits.room, `placeholder ${fits.text.toFixed(0)} px in ${fits.room} px`);
    },
  },
  {
    name: 'canvas: opening the wider Train panel keeps a fitted graph wholly in view',
    async fn({ page, url, shot }) {
      await page.goto(url, { timeout: 120_000 });
      await page.waitForFunction(() => window.__nb?.ready, null, { timeout: 120_000 });
      await page.setViewportSize({ width: 1440, height: 900 });
      await page.locator('[data-testid="menu-templates"]').click();
      await page.locator('.nb-menu-pop .nb-menu-item', { hasText: 'LeNet-5' }).first().click();
      await page.locator(node('output')).waitFor();
      await page.waitForTimeout(600);
      await page.locator('[data-testid="btn-fit"]').click();
      const inView = () =>
        page.evaluate(() => {
          const pane = document.querySelector('.nb-canvas .react-flow')!.getBoundingClientRect();
          return [...document.querySelectorAll('.react-flow__node')]
            .map((el) => ({ id: (el as HTMLElement).dataset.id, r: el.getBoundingClientRect() }))
            .filter(({ r }) => r.left < pane.left - 1 || r.right > pane.right + 1 || r.top < pane.top - 1 || r.bottom > pane.bottom + 1)
            .map(({ id }) => id);
        });
      await eventually(async () => assert.deepEqual(await inView(), []), 3000, 'all of LeNet-5 in view after Fit');
      const width = (await page.locator('[data-testid="canvas"]').boundingBox())!.width;
      await page.locator('[data-testid="tab-train"]').click();
      await eventually(async () => assert.ok((await page.locator('[data-testid="canvas"]').boundingBox())!.width < width - 20), 60_000, 'the Train panel narrowed the canvas');
      await eventually(async () => assert.deepEqual(await inView(), []), 3000, 'all of LeNet-5 still in view');
      await shot('canvas-10-train-panel-open');
    },
  },
];
