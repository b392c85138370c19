// `neural-blocks export FILE -o OUT.onnx [--weights PATH] [--seed N]`: graph file → ONNX
// (opset 17). Without --weights the model gets seeded random weights (src/onnx/seedWeights.ts:
// glorot-uniform kernels, zero biases, unit BatchNorm statistics), the same for the same seed.
import { exportPytorchCommand, PYTORCH_HELP } from './pytorch';
import { writeFile } from 'node:fs/promises';
import { cliField } from '../escape';
import * as tf from '@tensorflow/tfjs';
import { CliUsageError, type Command } from '../command';
import { analyze } from '../../core/infer';
import { compile } from '../../core/compile';
import { exportOnnx, onnxUnsupportedNodes, OnnxExportError } from '../../onnx/export';
import { seedWeights } from '../../onnx/seedWeights';
import { formatDiagnostic, oneFile, parseArgs, readGraphFile, withFileErrors } from './check';
import { loadWeightsFile, parseSeed } from './weightsOption';

// Shared with the pytorch and parity commands (their own module, so pytorch.ts and this file
// do not import each other).
export { loadWeightsFile, parseSeed } from './weightsOption';

export const exportCommand: Command = {
  name: 'export',
  summary: 'export a graph to an ONNX file (opset 17), or to PyTorch code with --pytorch',
  help: `Usage: neural-blocks export FILE -o OUT.onnx [--weights PATH] [--seed N]
       neural-blocks export FILE --pytorch OUT_DIR [--weights PATH] [--seed N]

Compiles the graph and writes it as an ONNX model (opset 17, IR version 8). The model takes
and returns the same tensors as the tfjs model: inputs named after the Input node ids
(int32 stays int32), outputs named after the output node ids ("<id>.<port>" for a node with
several outputs, e.g. "lstm1.h"), channels-last (NHWC) images, a symbolic batch "N".
The graph JSON is stored in the model's metadata ("neural-blocks.graph").

Options:
  -o, --output OUT.onnx  where to write the model (required)
  --weights PATH         a tfjs model.json (with its weight files beside it) whose weights
                         are matched to the graph's layers by name
  --seed N               seed for random weights when --weights is not given (default 1):
                         glorot-uniform kernels, zero biases, unit BatchNorm statistics
${PYTORCH_HELP}
  -h, --help             show this help

Exit status: 0 written, 1 graph errors or a block that cannot be exported, 2 unreadable
file or bad usage.

Example:
  neural-blocks export templates/lenet5.json -o lenet5.onnx --seed 7`,
  run: (argv, io) =>
    withFileErrors(io, async () => {
      const args = parseArgs(argv, { valued: ['-o', '--output', '--weights', '--seed', '--pytorch'] });
      const file = oneFile(args, 'export');
      const pytorchDir = args.options.get('--pytorch');
      if (pytorchDir !== undefined) return exportPytorchCommand(file, pytorchDir, args.options.get('--weights'), parseSeed(args.options.get('--seed')), io);
      const out = args.options.get('-o') ?? args.options.get('--output');
      if (!out) throw new CliUsageError('export: missing -o OUT.onnx (where to write the model)');
      const seed = parseSeed(args.options.get('--seed'));
      const weightsPath = args.options.get('--weights');
      const doc = await readGraphFile(file);
      const a = analyze(doc);
      if (!a.ok) {
        io.err(`${file}: ${a.errors.length} error${a.errors.length === 1 ? '' : 's'}; nothing exported`);
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
      const c = compile(doc);
      try {
        if (weightsPath) await loadWeightsFile(c, weightsPath);
        else seedWeights(c, seed, 'init');
        let bytes: Uint8Array;
        try {
          bytes = exportOnnx(c, { graph: doc });
        } catch (e) {
          if (!(e instanceof OnnxExportError)) throw e;
          io.err(`${file}: ${cliField(e.message)}`);
          return 1;
        }
        try {
          await writeFile(out, bytes);
        } catch (e) {
          throw new CliUsageError(`cannot write ${out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
        io.out(`wrote ${out} (${bytes.byteLength} bytes, opset 17, ${weightsPath ? `weights from ${weightsPath}` : `seeded weights, seed ${seed}`})`);
        return 0;
      } finally {
        c.model.dispose();
      }
    }),
};

export default exportCommand;
