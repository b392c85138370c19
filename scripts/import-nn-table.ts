// The table of issue #15 for hand-written torch.nn models: exports each model of
// src/import/torch_nn_models.py with Debian's torch (opset 13 and 17, or OPSETS=13), imports it
// op by op, validates, compiles and compares with onnxruntime (src/import/nnCheck.ts).
// Usage: npx tsx scripts/import-nn-table.ts [NAMES...]   (prints a Markdown table)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImportError } from '../src/import/index';
import { checkNn, exportTorchFixtures, type Made } from '../src/import/nnCheck';

const dir = mkdtempSync(join(tmpdir(), 'nb-nn-table-'));
try {
  const rows = ['| model | opset | result | params: ours / torch (LSTM, RNN biases summed) | max diff | import ms |', '| --- | --- | --- | --- | --- | --- |'];
  for (const opset of (process.env.OPSETS ?? '13,17').split(',')) {
    for (const m of exportTorchFixtures<Made>('./torch_nn_models.py', dir, opset, process.argv.slice(2))) {
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
