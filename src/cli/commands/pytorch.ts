// `neural-blocks export FILE --pytorch OUT_DIR [--weights PATH] [--seed N]`: graph file → a
// PyTorch project directory: model.py, model.pt (the state_dict), train.py, README.md, and (when
// the graph names a built-in training dataset) dataset.json + dataset.bin. The `export` command
// (export.ts) dispatches here when --pytorch is given.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CliUsageError, type CliIO } from '../command';
import { analyze } from '../../core/infer';
import { compile } from '../../core/compile';
import { seedWeights } from '../../onnx/seedWeights';
import { generatePytorch, writePt, exportDataset, PytorchExportError } from '../../pytorch/index';
import { findDataset } from '../../data/registry';
import { nodeDataEnv } from '../../data/nodeEnv';
import { DataError } from '../../data/dataset';
import { formatDiagnostic, readGraphFile, withFileErrors } from './check';
import { loadWeightsFile } from './weightsOption';

/** Examples per split written beside the model when the graph's training.limit does not say. */
export const DEFAULT_DATASET_LIMIT = 2000;

export const PYTORCH_HELP = `  --pytorch OUT_DIR      write a PyTorch project instead of ONNX: model.py (one nn.Module,
                         shape comments), model.pt (the weights as a state_dict in torch
                         layouts), train.py (torchrun + DistributedDataParallel,
                         checkpoints), README.md, and the graph's training dataset (at most
                         training.limit or ${DEFAULT_DATASET_LIMIT} examples) as dataset.json + dataset.bin`;

export interface PytorchExportOptions {
  /** Write the graph's training dataset beside the model (default true when it names one). */
  dataset?: boolean;
}

/** Exit code: 0 written, 1 graph errors or an unsupported block, 2 unreadable input or bad usage. */
export async function exportPytorchCommand(file: string, outDir: string, weightsPath: string | undefined, seed: number, io: CliIO, opts: PytorchExportOptions = {}): Promise<number> {
  return withFileErrors(io, async () => {
    const doc = await readGraphFile(file);
    const a = analyze(doc);
    if (!a.ok) {
      io.err(`${file}: ${a.errors.length} error${a.errors.length === 1 ? '' : 's'}; nothing exported`);
      for (const d of a.errors) io.err(`  ${formatDiagnostic(d)}`);
      return 1;
    }
    await tf.setBackend('cpu');
    const c = compile(doc);
    try {
      if (weightsPath) await loadWeightsFile(c, weightsPath);
      else seedWeights(c, seed, 'init');
      let gen;
      try {
        gen = generatePytorch(c, doc);
      } catch (e) {
        if (!(e instanceof PytorchExportError)) throw e;
        io.err(`${file}: ${e.message}`);
        return 1;
      }
      const files: [string, string | Uint8Array][] = Object.entries(gen.files);
      files.push(['model.pt', writePt(gen.weights)]);
      const training = (doc.training ?? {}) as { dataset?: unknown; limit?: unknown };
      let dataNote = 'no dataset (the graph names none)';
      if (opts.dataset !== false && typeof training.dataset === 'string') {
        const limit = typeof training.limit === 'number' ? training.limit : DEFAULT_DATASET_LIMIT;
        try {
          const ds = await findDataset(training.dataset).load(nodeDataEnv, { limit, seed: 1 });
          const d = exportDataset(ds, { limit });
          files.push(['dataset.json', d['dataset.json']], ['dataset.bin', d['dataset.bin']]);
          dataNote = `dataset ${training.dataset} (${Math.min(limit, ds.train.n)} training examples)`;
        } catch (e) {
          if (!(e instanceof DataError)) throw e;
          throw new CliUsageError(`${file}: training.dataset: ${e.message}`);
        }
      }
      try {
        await mkdir(outDir, { recursive: true });
        for (const [name, body] of files) await writeFile(join(outDir, name), body);
      } catch (e) {
        throw new CliUsageError(`cannot write to ${outDir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      io.out(
        `wrote ${outDir}/: ${files.map(([n]) => n).join(', ')} (${Object.keys(gen.weights).length} weight tensors, ${weightsPath ? `weights from ${weightsPath}` : `seeded weights, seed ${seed}`}; ${dataNote})`,
      );
      io.out(`  try: cd ${outDir} && python3 -c "from model import Model, load_weights; print(load_weights(Model()))"`);
      return 0;
    } finally {
      c.model.dispose();
    }
  });
}
