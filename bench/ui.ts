// UI benchmark (issue 4), measured in headless Chromium on the production build: the time to
// open a 500-block graph (from the open call to the first frame with the blocks drawn and
// fitted), the per-edit cost on it (shape inference alone, and edit → next painted frame), and
// frame times while dragging a block with the mouse. Imported by bench/run.ts.
import type { GraphDoc, GraphEdge, GraphNode } from '../src/core/graph';
import { serve, launch } from '../e2e/harness';
import type { BenchSection } from './types';

/** A ResNet-like chain of `blocks` blocks: Input, then (Conv2D, Conv2D, Add) residual units. */
export function residualGraph(blocks = 500): GraphDoc {
  const nodes: GraphNode[] = [{ id: 'x', type: 'Input', params: { shape: [16, 16, 8] }, position: { x: 0, y: 0 } }];
  const edges: GraphEdge[] = [];
  let prev = 'x';
  let k = 0;
  const place = (i: number) => ({ x: (i % 12) * 260, y: Math.floor(i / 12) * 160 });
  while (nodes.length + 3 <= blocks) {
    const a = `c${k}a`;
    const b = `c${k}b`;
    const s = `add${k}`;
    nodes.push({ id: a, type: 'Conv2D', params: { filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }, position: place(nodes.length) });
    nodes.push({ id: b, type: 'Conv2D', params: { filters: 8, kernelSize: 3, padding: 'same' }, position: place(nodes.length) });
    nodes.push({ id: s, type: 'Add', position: place(nodes.length) });
    edges.push({ id: `e${edges.length}`, source: prev, target: a });
    edges.push({ id: `e${edges.length}`, source: a, target: b });
    edges.push({ id: `e${edges.length}`, source: b, target: s, targetHandle: 'in0' });
    edges.push({ id: `e${edges.length}`, source: prev, target: s, targetHandle: 'in1' });
    prev = s;
    k++;
  }
  while (nodes.length < blocks) {
    const id = `d${nodes.length}`;
    nodes.push({ id, type: 'Conv2D', params: { filters: 8, kernelSize: 1 }, position: place(nodes.length) });
    edges.push({ id: `e${edges.length}`, source: prev, target: id });
    prev = id;
  }
  return { format: 'neural-blocks.graph', version: 1, name: `bench ${blocks}`, nodes, edges };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))] ?? NaN;
const r1 = (x: number) => Math.round(x * 10) / 10;

export async function benchUi(opts: { sizes?: number[]; rebuild?: boolean } = {}): Promise<BenchSection> {
  const sizes = opts.sizes ?? [100, 500];
  const server = await serve('preview', { rebuild: opts.rebuild ?? !process.env.NB_BENCH_NO_BUILD });
  const browser = await launch();
  const rows: (string | number)[][] = [];
  const data: Record<string, unknown> = {};
  try {
    for (const n of sizes) {
      const ctx = await browser.newContext({ viewport: { width: 1600, height: 900 } });
      const page = await ctx.newPage();
      await page.goto(server.url);
      await page.waitForFunction(() => window.__nb?.ready, null, { timeout: 60_000 });
      const doc = residualGraph(n);
      // Open: from the call to the first frame where the blocks are drawn (fit included).
      // (Page code is passed as strings: tsx's name-keeping helpers do not exist in the page.)
      await page.evaluate(`window.__benchDoc = ${JSON.stringify(doc)}`);
      const openMs = (await page.evaluate(`(async () => {
        const d = window.__benchDoc;
        const t0 = performance.now();
        void window.__nb.openDoc(d);
        for (;;) {
          const t = await new Promise((r) => requestAnimationFrame(() => r(performance.now())));
          if (document.querySelectorAll('.react-flow__node').length > 0 && window.__nb.getState().doc.nodes.length === d.nodes.length) return t - t0;
        }
      })()`)) as number;
      await page.waitForTimeout(500);
      // Edits: toggle a param of a block in the middle; inference time and edit → painted frame.
      const edit = (await page.evaluate(`(async () => {
        const nb = window.__nb;
        const infer = [];
        const frame = [];
        const doc0 = nb.getState().doc;
        const target = doc0.nodes[Math.floor(doc0.nodes.length / 2)];
        for (let i = 0; i < 30; i++) {
          const s = nb.getState();
          const nodes = s.doc.nodes.map((x) => (x.id === target.id ? { ...x, params: { ...x.params, useBias: i % 2 === 0 } } : x));
          const t0 = performance.now();
          nb.commit({ ...s.doc, nodes });
          infer.push(nb.getState().analysisMs);
          await new Promise((r) => requestAnimationFrame(() => r(null)));
          frame.push(performance.now() - t0);
        }
        return { infer, frame };
      })()`)) as { infer: number[]; frame: number[] };
      // A graph now opens at a readable zoom showing only part of it; fit it (the Fit button's
      // Shift+F) so the drag is timed with every block and edge drawn, as before.
      await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('Shift+F');
      await page.waitForTimeout(500);
      // Drag: a real mouse drag of a block (pressed at its centre: zoomed out to fit 500 blocks, a
      // block is only a few pixels tall), frame intervals during the drag. The block nearest the
      // canvas centre is taken so the drag stays clear of the edges (no auto-pan), and the
      // document is checked afterwards: the block moved, as one undo step.
      const target = (await page.evaluate(`(() => {
        const c = document.querySelector('.react-flow').getBoundingClientRect();
        const cx = c.left + c.width / 2, cy = c.top + c.height / 2;
        let best = null;
        for (const el of document.querySelectorAll('.react-flow__node')) {
          const r = el.getBoundingClientRect();
          const d = Math.hypot(r.left + r.width / 2 - cx, r.top + r.height / 2 - cy);
          if (!best || d < best.d) best = { d, id: el.getAttribute('data-id'), x: r.left + r.width / 2, y: r.top + r.height / 2 };
        }
        return best;
      })()`)) as { id: string; x: number; y: number } | null;
      let dragFrames: number[] = [];
      if (target) {
        const before = (await page.evaluate(`(() => { const s = window.__nb.getState(); return { pos: s.doc.nodes.find((n) => n.id === ${JSON.stringify(target.id)}).position, past: s.past.length }; })()`)) as { pos: { x: number; y: number }; past: number };
        await page.evaluate(`(() => {
          window.__frames = [];
          let last = performance.now();
          function tick() {
            const now = performance.now();
            window.__frames.push(now - last);
            last = now;
            if (window.__frames.length < 2000) requestAnimationFrame(tick);
          }
          requestAnimationFrame(tick);
        })()`);
        await page.mouse.move(target.x, target.y);
        await page.mouse.down();
        for (let i = 1; i <= 60; i++) await page.mouse.move(target.x + i * 4, target.y + i * 2);
        await page.mouse.up();
        dragFrames = ((await page.evaluate('window.__frames')) as number[]).slice(2);
        const after = (await page.evaluate(`(() => { const s = window.__nb.getState(); return { pos: s.doc.nodes.find((n) => n.id === ${JSON.stringify(target.id)}).position, past: s.past.length }; })()`)) as { pos: { x: number; y: number }; past: number };
        if (after.pos.x <= before.pos.x || after.past !== before.past + 1)
          throw new Error(`the drag did not move block "${target.id}" as one undo step (position ${JSON.stringify(before.pos)} → ${JSON.stringify(after.pos)}, undo steps ${before.past} → ${after.past})`);
      }
      await ctx.close();
      rows.push([n, r1(openMs), r1(median(edit.infer)), r1(median(edit.frame)), r1(p95(edit.frame)), dragFrames.length ? r1(median(dragFrames)) : '—', dragFrames.length ? r1(p95(dragFrames)) : '—']);
      data[`blocks${n}`] = { openMs, inferMs: edit.infer, editToFrameMs: edit.frame, dragFrameMs: dragFrames };
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const row500 = rows.find((r) => r[0] === 500);
  return {
    name: 'ui',
    title: 'Canvas (headless Chromium, production build)',
    method:
      'A ResNet-like graph (Input, then Conv2D–Conv2D–Add residual units) is opened through the app (as opening a file does) and timed until the first animation frame that draws the blocks. Then a param of a middle block is toggled 30 times: "inference" is the store\'s measured analyze() time, "edit→frame" runs from the edit to the next animation frame. Finally the block nearest the canvas centre is dragged with the mouse (pressed at its centre, at the zoom that fits the whole graph, so every block and edge is drawn) for 60 steps, the frame intervals are recorded, and the run fails unless the block moved as one undo step.',
    table: {
      columns: ['blocks', 'open (ms)', 'inference per edit, median (ms)', 'edit→frame median (ms)', 'edit→frame p95 (ms)', 'drag frame median (ms)', 'drag frame p95 (ms)'],
      rows,
    },
    targets: row500
      ? [
          { what: 'a 500-block graph opens in under 1 s', met: Number(row500[1]) < 1000, detail: `${row500[1]} ms` },
          { what: 'dragging a block on the 500-block graph stays smooth (median frame ≤ 33 ms)', met: typeof row500[5] === 'number' && row500[5] <= 33, detail: `${row500[5]} ms median frame` },
        ]
      : [],
    data,
  };
}

// `npx tsx bench/ui.ts` runs it alone.
if (process.argv[1] && /bench[\\/]ui\.ts$/.test(process.argv[1])) {
  const r = await benchUi();
  console.log(JSON.stringify({ table: r.table, targets: r.targets }, null, 2));
}
