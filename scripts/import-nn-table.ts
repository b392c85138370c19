// The table of issue #15 for hand-written torch.nn models: exports each model of
// src/import/torch_nn_models.py with Debian's torch (opset 13 and 17, or OPSETS=13), imports it
// op by op, validates, compiles and compares with onnxruntime (src/import/nnCheck.ts).
// Usage: npx tsx scripts/import-nn-table.ts [NAMES...]   (prints a Markdown table)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImportError } from '../src/import/index';
import { checkNn } from '../src/import/nnCheck';

interface Made {
  name: string;
  path: string;
  inputs: number[][];
  batchAxis: number;
  outputBatchAxis: number;
  params: number;
  mergedBiases: number;
}

const dir = mkdtempSync(join(tmpdir(), 'nb-nn-table-'));
try {
  const rows = ['| model | opset | result | params: ours / torch (LSTM, RNN biases summed) | max diff | import ms |', '| --- | --- | --- | --- | --- | --- |'];
  for (const opset of (process.env.OPSETS ?? '13,17').split(',')) {
    const r = spawnSync('/usr/bin/python3', [new URL('../src/import/torch_nn_models.py', import.meta.url).pathname, dir, opset, ...process.argv.slice(2)], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`torch export failed: ${r.stderr}`);
    for (const line of r.stdout.trim().split('\n')) {
      const m = JSON.parse(line) as Made;
      try {
        const c = await checkNn(m.path, m.inputs, m.batchAxis, m.outputBatchAxis);
        rows.push(`| ${m.name} | ${opset} | imported (${c.doc.nodes.length} blocks) | ${c.params} / ${m.params}${m.mergedBiases ? ` (−${m.mergedBiases})` : ''} | ${c.diff.toExponential(1)} | ${c.importMs.toFixed(0)} |`);
      } catch (e) {
        const why = e instanceof ImportError ? e.unsupported.map((u) => `${u.op} "${u.node}": ${u.reason}`).join('; ') : String(e);
        rows.push(`| ${m.name} | ${opset} | refused: ${why.replace(/\|/g, '\\|')} | – / ${m.params} | – | – |`);
      }
    }
  }
  console.log(rows.join('\n'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
