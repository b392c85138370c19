// The torchvision-zoo templates (templates/zoo.ts), each opened from the Templates menu as a user
// opens it, at 1440×900: the status says "valid", the summary's trainable parameter count is
// torchvision's number from the zoo table, and a screenshot of the opened canvas is saved
// (e2e-artifacts/zoo-NAME.png) to look at.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ZOO } from '../templates/zoo';
import { eventually, type E2ETest } from './lib';

const INDEX = JSON.parse(readFileSync('templates/index.json', 'utf8')) as { file: string; title: string }[];

/** "6,624,904 trainable · 0 non-trainable" → 6624904. */
function trainableOf(text: string): number {
  const m = /([\d,]+) trainable/.exec(text);
  assert.ok(m, `no trainable count in the summary's total row: "${text}"`);
  return Number(m[1]!.replace(/,/g, ''));
}

export const tests: E2ETest[] = [
  {
    name: 'zoo: every torchvision-zoo template opens valid, with torchvision\'s trainable parameter count in the summary, at 1440×900',
    async fn({ page, url }) {
      await page.setViewportSize({ width: 1440, height: 900 });
      await page.goto(url, { timeout: 120_000 });
      await page.waitForFunction(() => window.__nb?.ready, null, { timeout: 120_000 });
      const names = Object.keys(ZOO);
      assert.ok(names.length >= 3, `zoo entries: ${names.join(', ')}`);
      const report: string[] = [];
      for (const name of names) {
        const entry = INDEX.find((e) => e.file === `${name}.json`);
        assert.ok(entry, `templates/index.json lists no ${name}.json`);
        await page.locator('[data-testid="menu-templates"]').click();
        await page.locator('.nb-menu-pop .nb-menu-item').filter({ has: page.locator(`span:text-is("${entry.title}")`) }).first().click();
        await eventually(async () => assert.equal(await page.evaluate(() => window.__nb!.getState().doc.name ?? ''), entry.title), 15_000, `${name} opened`);
        await page.locator('.react-flow__node').first().waitFor();
        await eventually(async () => assert.equal(await page.locator('[data-testid="status"]').innerText(), 'valid'), 15_000, `${name} valid`);
        await page.locator('[data-testid="tab-summary"]').click();
        const sub = page.locator('[data-testid="summary"] tfoot tr.sub');
        await eventually(async () => assert.equal(trainableOf(await sub.innerText()), ZOO[name]!.params), 15_000, `${name}: summary trainable = ${ZOO[name]!.params}`);
        // The "opened … as a new graph" toast would cover the canvas in the screenshot.
        await page.evaluate('window.__nb.setState({ toasts: [] })');
        await page.waitForTimeout(300);
        await page.screenshot({ path: `e2e-artifacts/zoo-${name}.png` });
        report.push(`${name}: valid, ${ZOO[name]!.params.toLocaleString('en')} trainable, ${await page.locator('.react-flow__node').count()} blocks drawn`);
      }
      console.log(`  ${report.join('\n  ')}`);
    },
  },
];
