// `neural-blocks parity FILE [--json] [--seed N]`: builds the tfjs model with seeded weights,
// exports it to ONNX, runs both (tfjs CPU and onnxruntime-node) on the same seeded random
// inputs — token ids within the consuming Embedding's inputDim — and reports the largest
// absolute difference per output. Exit 1 when it is over 1e-4.
import * as tf from '@tensorflow/tfjs';
import type { Command } from '../command';
import { analyze } from '../../core/infer';
import { compile } from '../../core/compile';
import { onnxUnsupportedNodes } from '../../onnx/export';
import { compiledParity, type ParityReport } from '../../onnx/parity';
import { seedWeights } from '../../onnx/seedWeights';
import { formatDiagnostic, oneFile, parseArgs, readGraphFile, toJson, withFileErrors } from './check';
import { loadWeightsFile, parseSeed } from './export';
import { cliField } from '../escape';

export const PARITY_TOLERANCE = 1e-4;

export const parityCommand: Command = {
  name: 'parity',
  summary: 'check that the ONNX export gives the same outputs as tfjs',
  help: `Usage: neural-blocks parity FILE [--json] [--seed N] [--weights PATH]

Builds the tfjs model with seeded random weights (every weight randomised, biases and
BatchNorm statistics included, so none can hide) or the given trained ones, exports it to ONNX, runs both — tfjs on
the CPU and onnxruntime-node — on the same seeded random inputs (batch 2, unknown sizes 5;
floats in [-1, 1), token ids in [0, inputDim) of the Embedding they feed), and reports the
largest absolute difference per output.

Options:
  --json      print {"maxAbsDiff": x, "outputs": [{"name", "shape", "maxAbsDiff"}], "opset": 17}
  --seed N    seed for the weights and inputs (default 1)
  --weights PATH  a tfjs model.json (e.g. from neural-blocks train) instead of seeded weights
  -h, --help  show this help

Exit status: 0 within ${PARITY_TOLERANCE}, 1 over it (or graph errors, or a block that cannot be
exported), 2 unreadable file or bad usage.

Example:
  neural-blocks parity templates/lenet5.json --json`,
  run: (argv, io) =>
    withFileErrors(io, async () => {
      const args = parseArgs(argv, { flags: ['--json'], valued: ['--seed', '--weights'] });
      const weightsPath = args.options.get('--weights');
      const file = oneFile(args, 'parity');
      const seed = parseSeed(args.options.get('--seed'));
      const doc = await readGraphFile(file);
      const a = analyze(doc);
      if (!a.ok) {
        io.err(`${file}: ${a.errors.length} error${a.errors.length === 1 ? '' : 's'}`);
        for (const d of a.errors) io.err(`  ${formatDiagnostic(d)}`);
        return 1;
      }
      const unsupported = onnxUnsupportedNodes(a);
      if (unsupported.length) {
        io.err(`${file}: cannot export to ONNX:`);
        for (const u of unsupported) io.err(`  ${cliField(`node ${JSON.stringify(u.node)} (${u.type}): ${u.reason}`)}`);
        return 1;
      }
      await tf.setBackend('cpu');
      // Loaded here, not at the top: the native module is only needed by this command.
      const ort = await import('onnxruntime-node');
      const c = compile(doc);
      let r: ParityReport;
      try {
        if (weightsPath) await loadWeightsFile(c, weightsPath);
        else seedWeights(c, seed, 'parity');
        r = await compiledParity(c, { ort: ort as never, seed, exportOptions: { graph: doc } });
      } finally {
        c.model.dispose();
      }
      const ok = r.maxAbsDiff <= PARITY_TOLERANCE;
      if (args.flags.has('--json')) {
        io.out(toJson({ maxAbsDiff: finite(r.maxAbsDiff), outputs: r.outputs.map((o) => ({ name: o.name, shape: o.shape, maxAbsDiff: finite(o.maxAbsDiff), ...(o.tfjsShape ? { tfjsShape: o.tfjsShape } : {}) })), opset: r.opset }));
      } else {
        io.out(`${file}: max |tfjs − onnxruntime| = ${r.maxAbsDiff.toExponential(2)} (${ok ? 'ok' : 'FAIL'}, tolerance ${PARITY_TOLERANCE}, opset ${r.opset})`);
        for (const o of r.outputs)
          io.out(`  ${cliField(o.name)}  [${o.shape.join(', ')}]  ${o.tfjsShape ? `shape differs from tfjs' [${o.tfjsShape.join(', ')}]` : o.maxAbsDiff.toExponential(2)}`);
      }
      return ok ? 0 : 1;
    }),
};

/** JSON has no Infinity: a shape mismatch or NaN prints as a huge number, never as null. */
function finite(x: number): number {
  return Number.isFinite(x) ? x : Number.MAX_VALUE;
}

export default parityCommand;
