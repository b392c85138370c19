// `neural-blocks summary FILE [--json]`: per-node output shapes, parameter counts and MACs.
import type { Command } from '../command';
import { analyze } from '../../core/infer';
import { formatSummaryTable, summarize } from '../../core/summary';
import { frozenNodeIds } from '../../core/frozen';
import { cliField } from '../escape';
import { formatDiagnostic, oneFile, parseArgs, readGraphFile, toJson, withFileErrors } from './check';

export const summaryCommand: Command = {
  name: 'summary',
  summary: 'print a table of output shapes, parameter counts and MACs per node',
  help: `Usage: neural-blocks summary FILE [--json]

Prints one row per node in document order: output shape(s), trainable and non-trainable
parameters, and multiply-accumulates (MACs) for one example; then the totals. Trainable
counts follow torchvision (BatchNormalization's gamma and beta are trainable, its moving
mean and variance are not). A frozen block ("trainable": false) is marked "(frozen)" and its
params count as non-trainable; a last line says how many params are frozen.

If the graph has errors, they are printed on stderr, nodes whose shapes are unknown count
as 0, and the exit status is 1.

Options:
  --json      print {"nodes": [{"id", "type", "outputShapes", "trainableParams",
              "nonTrainableParams", "macs", "frozen"?}], "totals": {"trainableParams",
              "nonTrainableParams", "frozenParams"?, "macs"}}
  -h, --help  show this help

Exit status: 0 valid, 1 graph errors, 2 unreadable or unparseable file (or bad usage).

Example:
  neural-blocks summary templates/lenet5.json`,
  run: (argv, io) =>
    withFileErrors(io, async () => {
      const args = parseArgs(argv, { flags: ['--json'] });
      const file = oneFile(args, 'summary');
      const doc = await readGraphFile(file);
      const a = analyze(doc);
      const s = summarize(a, doc.nodes.map((n) => n.id), frozenNodeIds(doc));
      // Ids and types come from the file: a newline in one must not forge a table row.
      io.out(args.flags.has('--json') ? toJson(s) : formatSummaryTable({ ...s, nodes: s.nodes.map((r) => ({ ...r, id: cliField(r.id), type: cliField(r.type) })) }));
      if (!a.ok) {
        io.err(`${file}: ${a.errors.length} error${a.errors.length === 1 ? '' : 's'} (run neural-blocks check ${file} for the shapes up to them)`);
        for (const d of a.errors) io.err(`  ${formatDiagnostic(d)}`);
      }
      return a.ok ? 0 : 1;
    }),
};

export default summaryCommand;
