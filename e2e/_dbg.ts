import { serve, launch } from '/work/main/e2e/harness';
const server = await serve('dev');
const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
page.on('console', (m) => console.log('console', m.type(), m.text().slice(0, 300)));
page.on('pageerror', (e) => console.log('pageerror', e.message));
await page.goto(server.url);
await page.waitForFunction(() => window.__nb?.ready, null, { timeout: 120_000 });
await page.locator('[data-testid="tab-train"]').click();
for (let i = 0; i < 15; i++) {
  await page.waitForTimeout(2000);
  const s = await page.evaluate(() => ({ tab: window.__nb!.getState().sideTab, panel: !!document.querySelector('[data-testid="train-panel"]'), ind: document.querySelector('[data-testid="backend-indicator"]')?.textContent, facts: document.querySelector('[data-testid="data-facts"]')?.textContent, note: document.querySelector("[data-testid=backend-summary]")?.textContent }));
  console.log(JSON.stringify(s));
  if (s.facts) break;
}
await page.screenshot({ path: '/tmp/dbg/a.png' });
await browser.close();
await server.close();
