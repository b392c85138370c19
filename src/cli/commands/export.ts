// `neural-blocks export FILE -o OUT.onnx [--weights PATH] [--seed N]`: graph file → ONNX
// (opset 17). Without --weights the model gets seeded random weights (src/onnx/seedWeights.ts:
// glorot-uniform kernels, zero biases, unit BatchNorm statistics), the same for the same seed.
import { exportPytorchCommand, PYTORCH_HELP } from './pytorch';
import { writeFile } from 'node:fs/promises';
import { MAX_GRAPH_TEXT, stripBom } from '../../core/limits';
import { readUserFile, readWeightFiles } from '../weightFiles';
import { cliField } from '../escape';
import * as tf from '@tensorflow/tfjs';
import type { Command } from '../command';
import { analyze } from '../../core/infer';
import { compile } from '../../core/compile';
import { exportOnnx, onnxUnsupportedNodes, OnnxExportError } from '../../onnx/export';
import { seedWeights } from '../../onnx/seedWeights';
import { loadWeightsInto, WeightsError, type SavedModel } from '../../train/weights';
import type { CompiledModel } from '../../core/compile';
import { CliUsageError, formatDiagnostic, oneFile, parseArgs, readGraphFile, withFileErrors } from './check';

/** --seed N: a non-negative integer (default 1). */
export function parseSeed(v: string | undefined): number {
  if (v === undefined) return 1;
  if (!/^\d+$/.test(v)) throw new CliUsageError(`--seed must be a non-negative integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

/**
 * Sets the compiled model's weights from a saved tfjs model.json (the weight files it lists sit
 * beside it), through the trainer's loader (src/train/weights.ts): matched by name, every shape
 * checked. Any problem is a usage error (exit 2) naming the file and the weight.
 */
export async function loadWeightsFile(c: CompiledModel, path: string): Promise<void> {
  let modelJson: SavedModel['modelJson'];
  const text = new TextDecoder().decode(await readUserFile(path, 'weights', MAX_GRAPH_TEXT));
  try {
    modelJson = JSON.parse(stripBom(text)) as SavedModel['modelJson'];
  } catch (e) {
    throw new CliUsageError(`cannot read weights ${path}: not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(modelJson?.weightsManifest)) throw new CliUsageError(`${path} has no "weightsManifest": expected a tfjs model.json (as saved by neural-blocks train)`);
  const weights = (await readWeightFiles(path, modelJson)) ?? new Uint8Array(0);
  try {
    loadWeightsInto(c.model, { modelJson, weights: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer }, path);
  } catch (e) {
    if (e instanceof WeightsError) throw new CliUsageError(e.message);
    throw e;
  }
}

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
