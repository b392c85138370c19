// Small helpers for the e2e specs: polling assertions, screenshots, real-mouse drags.
import type { Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';

export const ARTIFACTS = 'e2e-artifacts';
mkdirSync(ARTIFACTS, { recursive: true });

export interface TestContext {
  page: Page;
  url: string;
  shot(name: string): Promise<void>;
}

export interface E2ETest {
  name: string;
  fn(ctx: TestContext): Promise<void>;
}

/** Retries an assertion until it holds (the UI updates asynchronously) or the time runs out. */
export async function eventually<T>(fn: () => Promise<T> | T, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const t0 = Date.now();
  let last: unknown;
  while (Date.now() - t0 < timeoutMs) {
    try {
      return await fn();
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${(last as Error)?.message ?? last}`);
}

export async function centre(page: Page, selector: string): Promise<{ x: number; y: number }> {
  const box = await page.locator(selector).first().boundingBox();
  if (!box) throw new Error(`${selector} is not visible`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** A real mouse drag: press, move in steps, release. */
export async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }, steps = 12): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 6, from.y + 3, { steps: 2 });
  await page.mouse.move(to.x, to.y, { steps });
  await page.mouse.up();
}

export const node = (id: string) => `.react-flow__node[data-id="${id}"]`;
export const handle = (id: string, port: string, kind: 'source' | 'target') => `${node(id)} .react-flow__handle.${kind}[data-handleid="${port}"]`;

/** The serious and critical axe-core violations on the page, one line each. */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.addScriptTag({ path: 'node_modules/axe-core/axe.min.js' });
  return (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => v.id + ' (' + v.impact + '): ' + v.help + ' — ' + v.nodes.length + ' nodes, e.g. ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')))`)) as string[];
}
