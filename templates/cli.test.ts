// The ImageNet-size counts as users see them: `neural-blocks summary FILE --json` in a real
// subprocess, for every torchvision template, plus two small ones and a `check`.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TORCH_REFERENCE, TORCHVISION_PUBLISHED } from './torchReference';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..');
const BIN = join(ROOT, 'bin/neural-blocks.mjs');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

interface SummaryJson {
  nodes: { id: string; type: string; trainableParams: number; nonTrainableParams: number; macs: number }[];
  totals: { trainableParams: number; nonTrainableParams: number; macs: number };
}

describe('neural-blocks summary --json on the torchvision templates', () => {
  // All subprocesses at once: each spends most of its time starting tsx and loading tfjs.
  const names = Object.keys(TORCHVISION_PUBLISHED);
  const runs = new Map<string, Promise<{ code: number; stdout: string; stderr: string }>>();
  const run = (name: string) => {
    if (!runs.has(name)) runs.set(name, cli(['summary', `templates/${name}.json`, '--json']));
    return runs.get(name)!;
  };

  for (const name of names) {
    it(`${name}: trainable ${TORCHVISION_PUBLISHED[name]!.params.toLocaleString('en-US')} (torchvision), MACs within 2%`, async () => {
      names.forEach((n) => void run(n));
      const r = await run(name);
      expect(r.code, r.stderr).toBe(0);
      const s = JSON.parse(r.stdout) as SummaryJson;
      expect(s.totals.trainableParams).toBe(TORCHVISION_PUBLISHED[name]!.params);
      expect(s.totals.nonTrainableParams, 'BatchNorm moving mean + variance').toBe(TORCH_REFERENCE[name]!.buffers);
      // The CLI's total also counts the few MACs of BatchNorm, pooling and adds; torchvision's
      // figure is conv + linear only. Both within 2%.
      expect(Math.abs(s.totals.macs / TORCH_REFERENCE[name]!.macs - 1)).toBeLessThanOrEqual(0.02);
      expect(Math.abs(s.totals.macs / (TORCHVISION_PUBLISHED[name]!.gmacs * 1e9) - 1)).toBeLessThanOrEqual(0.02);
    });
  }

  it('lenet5 and seq2seq-attention summarize, and check reports them valid', async () => {
    const [lenet, s2s, check] = await Promise.all([
      cli(['summary', 'templates/lenet5.json', '--json']),
      cli(['summary', 'templates/seq2seq-attention.json', '--json']),
      cli(['check', 'templates/resnet50.json', '--json']),
    ]);
    expect(lenet.code, lenet.stderr).toBe(0);
    const l = JSON.parse(lenet.stdout) as SummaryJson;
    // C1 6·(25+1), C3 16·(6·25+1), C5 120·(16·25+1), F6 84·(120+1), output 10·(84+1).
    expect(l.totals.trainableParams).toBe(6 * 26 + 16 * 151 + 120 * 401 + 84 * 121 + 10 * 85);
    expect(l.nodes.map((n) => n.id)).toEqual(['input', 'c1', 's2', 'c3', 's4', 'c5', 'flatten', 'f6', 'output']);
    expect(s2s.code, s2s.stderr).toBe(0);
    const q = JSON.parse(s2s.stdout) as SummaryJson;
    // two embeddings 12×32, two LSTMs 32→64 (4 gates), Dense 128→64 and 64→12.
    expect(q.totals.trainableParams).toBe(2 * 12 * 32 + 2 * 4 * 64 * (32 + 64 + 1) + (128 * 64 + 64) + (64 * 12 + 12));
    expect(check.code, check.stderr).toBe(0);
    const c = JSON.parse(check.stdout) as { ok: boolean; errors: unknown[]; shapes: Record<string, Record<string, (number | null)[]>> };
    expect(c.ok).toBe(true);
    expect(c.errors).toEqual([]);
    expect(c.shapes.fc).toEqual({ out: [null, 1000] });
    expect(c.shapes.layer4_2).toEqual({ out: [null, 7, 7, 2048] });
  });
});
