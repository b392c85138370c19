// `neural-blocks train FILE --data NAME --epochs N [--out DIR] [--json]`: the same training loop
// as the browser, on tfjs' WASM backend (XNNPACK, with the gradient kernels it lacks supplied by
// src/train/wasmKernels.ts) or its pure-JS CPU backend; saves model.json + weights.bin (export and parity
// take them with --weights DIR/model.json).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CliUsageError, type CliIO, type Command } from '../command';
import { analyze } from '../../core/infer';
import { compile } from '../../core/compile';
import { parseTrainingConfig, type TrainingConfig } from '../../train/config';
import { DataFitError, evaluateTest, train } from '../../train/loop';
import { saveModel } from '../../train/weights';
import { bridgeWasmKernels } from '../../train/wasmKernels';
import { findDataset } from '../../data/registry';
import { nodeDataEnv } from '../../data/nodeEnv';
import { DataError } from '../../data/dataset';
import { formatDiagnostic, jsonDiagnostic, oneFile, parseArgs, readGraphFile, toJson, withFileErrors } from './check';

function num(args: Map<string, string>, name: string, int: boolean): number | undefined {
  const v = args.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || (int && !Number.isInteger(n))) throw new CliUsageError(`option ${name} needs ${int ? 'an integer' : 'a number'}, got ${JSON.stringify(v)}`);
  return n;
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a graph on a built-in dataset (tfjs WASM or CPU backend) and save its weights',
  help: `Usage: neural-blocks train FILE --data NAME [--epochs N] [--out DIR] [--json]
                            [--limit N] [--batch-size N] [--lr X] [--seed N] [--backend wasm|cpu]

Trains the graph with the training loop the app uses (on tfjs' WASM backend), with the settings
of the graph's "training" object; options override them. Reports the loss and accuracy per
epoch and the test-set result, and saves the trained model as DIR/model.json + DIR/weights.bin
(the standard tfjs layers format; the graph travels in its metadata).

Options:
  --data NAME       dataset: mnist, mnist-full (the original 60,000 + 10,000 digits),
                    fashion-mnist, xor, circles, spirals, reverse, sort, addition, dates,
                    cmudict, char-lm (default: training.dataset)
  --epochs N        epochs (default: training.epochs, else 5)
  --limit N         use at most N examples (quick runs)
  --batch-size N    batch size; --lr X learning rate; --seed N shuffling seed
  --backend NAME    wasm (default: XNNPACK; LeNet-5 trains at ~2,300 examples/s on a 2-core VM) or
                    cpu (tfjs' pure-JS backend, the reference: 8–60× slower, see npm run bench)
  --out DIR         where to save model.json + weights.bin
  --json            print {"status", "history": [...], "test": {...}, "seconds", "out"}
  -h, --help        show this help

Exit status: 0 trained, 1 graph errors, data that does not fit, or a NaN loss,
2 unreadable file or bad usage.

Example:
  neural-blocks train templates/lenet5.json --data mnist --epochs 3 --out runs/lenet`,
  run: (argv, io: CliIO) =>
    withFileErrors(io, async () => {
      const args = parseArgs(argv, { flags: ['--json'], valued: ['--data', '--epochs', '--out', '--limit', '--batch-size', '--lr', '--seed', '--backend'] });
      const backend = args.options.get('--backend') ?? 'wasm';
      if (backend !== 'wasm' && backend !== 'cpu') throw new CliUsageError(`option --backend must be wasm or cpu, got ${JSON.stringify(backend)}`);
      const file = oneFile(args, 'train');
      const doc = await readGraphFile(file);
      const json = args.flags.has('--json');
      const a = analyze(doc);
      if (!a.ok) {
        if (json) io.out(toJson({ status: 'invalid', errors: a.errors.map(jsonDiagnostic) }));
        else io.err(`${file}: ${a.errors.length} error(s)\n${a.errors.map((d) => `  ${formatDiagnostic(d)}`).join('\n')}`);
        return 1;
      }
      const { config, issues } = parseTrainingConfig(doc.training);
      if (issues.length) throw new CliUsageError(`${file}: ${issues.map((i) => i.message).join('; ')}`);
      const cfg: TrainingConfig = { ...config };
      cfg.epochs = num(args.options, '--epochs', true) ?? cfg.epochs;
      cfg.batchSize = num(args.options, '--batch-size', true) ?? cfg.batchSize;
      cfg.learningRate = num(args.options, '--lr', false) ?? cfg.learningRate;
      cfg.seed = num(args.options, '--seed', true) ?? cfg.seed;
      const limit = num(args.options, '--limit', true) ?? cfg.limit;
      const dataName = args.options.get('--data') ?? cfg.dataset;
      if (!dataName) throw new CliUsageError('train: no dataset: pass --data NAME or set training.dataset in the graph');
      let entry;
      try {
        entry = findDataset(dataName);
      } catch (e) {
        throw new CliUsageError(`train: ${(e as Error).message}`);
      }
      if (backend === 'wasm') {
        await import('@tensorflow/tfjs-backend-wasm');
        bridgeWasmKernels();
      }
      if (!(await tf.setBackend(backend))) throw new Error(`the tfjs ${backend} backend did not start`);
      const data = await entry.load(nodeDataEnv, { limit, seed: cfg.seed }).catch((e: unknown) => {
        if (e instanceof DataError) throw new CliUsageError(`train: ${e.message}`);
        throw e;
      });
      const c = compile(doc, { kernelInitializer: cfg.kernelInitializer, seed: cfg.seed });
      try {
        const res = await train(c, data, cfg, {
          onEpoch: (e) => {
            if (!json)
              io.err(
                `epoch ${e.epoch + 1}/${cfg.epochs}  loss ${e.loss.toFixed(4)}${e.accuracy !== undefined ? `  acc ${e.accuracy.toFixed(4)}` : ''}${e.valLoss !== undefined ? `  val_loss ${e.valLoss.toFixed(4)}` : ''}${e.valAccuracy !== undefined ? `  val_acc ${e.valAccuracy.toFixed(4)}` : ''}`,
              );
          },
        });
        const test = res.status === 'nan' ? undefined : evaluateTest(c, data, cfg);
        let out: string | undefined;
        const dir = args.options.get('--out');
        if (dir && res.status !== 'nan') {
          const saved = await saveModel(c.model, doc);
          await mkdir(dir, { recursive: true });
          await writeFile(join(dir, 'model.json'), JSON.stringify(saved.modelJson));
          await writeFile(join(dir, 'weights.bin'), new Uint8Array(saved.weights));
          out = join(dir, 'model.json');
        }
        const testOut = test && { loss: test.loss, accuracy: test.accuracy, exactMatch: test.exactMatch, n: test.n };
        if (json) io.out(toJson({ status: res.status, message: res.message, dataset: data.name, backend, history: res.history, test: testOut, seconds: res.seconds, out }));
        else {
          if (res.message) io.err(res.message);
          if (testOut)
            io.out(
              `test: loss ${testOut.loss.toFixed(4)}${testOut.accuracy !== undefined ? `  accuracy ${(testOut.accuracy * 100).toFixed(2)}%` : ''}${testOut.exactMatch !== undefined ? `  exact match ${(testOut.exactMatch * 100).toFixed(2)}%` : ''} (${testOut.n} examples, ${res.seconds.toFixed(1)} s)`,
            );
          if (out) io.out(`saved ${out}`);
        }
        return res.status === 'nan' ? 1 : 0;
      } catch (e) {
        if (e instanceof DataFitError) {
          if (json) io.out(toJson({ status: 'data-mismatch', errors: e.issues }));
          else io.err(`${file}: the ${data.title} data does not fit the graph:\n${e.issues.map((i) => `  ${i.node ? `node "${i.node}"` : 'graph'}: ${i.message}`).join('\n')}`);
          return 1;
        }
        throw e;
      } finally {
        c.model.dispose();
      }
    }),
};

export default trainCommand;
