// Canvas editing with a real mouse and keyboard: copy/paste, box selection, multi-node drag,
// keyboard nudges, auto-layout and undo, one undo step per drag, and the JSON panel's markers on
// the offending line. The graph is set up through window.__nb.commit; every user action is a
// real click, drag or key press, and the assertions read the document (window.__nb.getState()).
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { eventually, node, type E2ETest } from './lib';
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
    },
  },
];
