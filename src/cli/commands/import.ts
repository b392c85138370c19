// `neural-blocks import FILE -o GRAPH.json [--weights-out DIR]`: an ONNX model or a tfjs
// layers model (model.json + the weight files its manifest lists) → a graph file, and the
// weights as a tfjs model.json + weights.bin that `export --weights` and `train` read. With
// --compare it also runs the import against onnxruntime on the original file (import/compare.ts).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { dirname, join, resolve } from 'node:path';
import { MAX_WEIGHT_BYTES, stripBom } from '../../core/limits';
import { readUserFile, readWeightFiles } from '../weightFiles';
import { cliField } from '../escape';
import { fileURLToPath } from 'node:url';
import type { Command } from '../command';
import { serializeGraph } from '../../core/graph';
import { ImportError, importFile, importedModelJson, weightsToBin } from '../../import/index';
import { formatBlockers } from '../../import/onnx/blockers';
import { compareImported } from '../../import/compare';
import { readOnnx } from '../../import/onnx/index';
import { onnxReader } from '../../onnx/read';
import { PARITY_TOLERANCE } from './parity';
import { oneFile, parseArgs, withFileErrors } from './check';
import { parseSeed } from './export';

const PROTO = fileURLToPath(new URL('../../onnx/onnx.proto', import.meta.url));

async function readBytes(path: string, what: string): Promise<Uint8Array> {
  return readUserFile(path, what, MAX_WEIGHT_BYTES);
}

/** The weight files a model.json lists (confined to its folder: src/cli/weightFiles.ts). */
async function companionWeights(file: string, bytes: Uint8Array): Promise<Uint8Array | undefined> {
  let json: unknown;
  try {
    json = JSON.parse(stripBom(new TextDecoder().decode(bytes)));
  } catch {
    return undefined; // importFile reports the JSON error
  }
  if (!Array.isArray((json as { weightsManifest?: unknown } | null)?.weightsManifest)) return undefined;
  return readWeightFiles(file, json);
}

export const importCommand: Command = {
  name: 'import',
  summary: 'convert an ONNX model or a tfjs model.json into a graph file (with its weights)',
  help: `Usage: neural-blocks import FILE [-o GRAPH.json] [--weights-out DIR] [--compare]

Reads an ONNX model (.onnx) or a tfjs / Keras layers model (model.json, with the weight files
its manifest lists beside it) and writes an editable graph file. Files exported by Neural
Blocks reopen exactly (the graph travels inside them). Other models are mapped op by op;
image models come in channels-last: the imported graph takes NHWC input where the ONNX file
took NCHW (see docs/import.md).

Options:
  -o FILE             the graph file to write (default: print it on stdout)
  --weights-out DIR   also write the weights as DIR/model.json + DIR/weights.bin (load them
                      with \`neural-blocks export GRAPH.json --weights DIR/model.json\`)
  --compare           (ONNX) run the imported graph with its weights (tfjs, CPU) and the
                      original file (onnxruntime) on one seeded random input (batch 2) and
                      print the largest difference; with it the graph is printed only with -o
  --seed N            the seed of --compare's input (default 1)
  -h, --help          show this help

Exit status: 0 imported (and, with --compare, within ${PARITY_TOLERANCE} × max(1, largest |output|));
1 some ops have no block (grouped by op on stderr: how many nodes, which, why, and what would
cover them) or the comparison is over that tolerance; 2 unreadable or malformed file (or bad
usage).

Example:
  neural-blocks import resnet18.onnx -o resnet18.json --weights-out resnet18-weights
  neural-blocks import resnet18.onnx --compare`,
  run: (argv, io) =>
    withFileErrors(io, async () => {
      const args = parseArgs(argv, { flags: ['--compare'], valued: ['-o', '--output', '--weights-out', '--seed'] });
      const file = oneFile(args, 'import');
      const out = args.options.get('-o') ?? args.options.get('--output');
      const weightsOut = args.options.get('--weights-out');
      const compare = args.flags.has('--compare');
      const seed = parseSeed(args.options.get('--seed'));
      const bytes = await readBytes(file, 'model');
      const isOnnx = !file.toLowerCase().endsWith('.json') && bytes[0] !== 0x7b;
      if (compare && !isOnnx) {
        io.err(`neural-blocks: --compare checks an import against onnxruntime on the original file, so FILE must be an .onnx model (got ${cliField(file)})`);
        return 2;
      }
      const opts = isOnnx ? { onnxProto: await readFile(PROTO, 'utf8') } : { weightsBin: await companionWeights(file, bytes) };
      let r;
      try {
        r = await importFile(file, bytes, opts);
      } catch (e) {
        if (!(e instanceof ImportError)) throw e;
        if (e.malformed || !e.unsupported.length) {
          io.err(`neural-blocks: ${cliField(e.message.replace(/\s*\n\s*/g, ' '))}`);
          return 2;
        }
        for (const line of formatBlockers(file, e.unsupported, e.unchecked)) io.err(cliField(line));
        return 1;
      }
      const text = serializeGraph(r.doc);
      if (out) {
        await mkdir(dirname(resolve(out)), { recursive: true });
        await writeFile(out, text);
      } else if (!compare) io.out(text.trimEnd());
      if (weightsOut && r.weights) {
        const { specs, data } = weightsToBin(r.weights);
        await mkdir(weightsOut, { recursive: true });
        await writeFile(join(weightsOut, 'weights.bin'), data);
        await writeFile(join(weightsOut, 'model.json'), JSON.stringify(importedModelJson(r.doc, specs)));
      }
      const what = r.report.source === 'neural-blocks' ? 'reopened' : 'imported';
      const tail = out ? ` → ${out}${weightsOut && r.weights ? ` (weights in ${weightsOut})` : ''}` : '';
      io.err(`${file}: ${what} ${r.doc.nodes.length} nodes${tail}`);
      for (const n of r.report.notes) io.err(`note: ${cliField(n)}`);
      if (!compare) return 0;
      await tf.setBackend('cpu');
      // Loaded here, not at the top: the native module is only needed with --compare.
      const ort = await import('onnxruntime-node');
      const proto = 'onnxProto' in opts ? opts.onnxProto : '';
      const c = await compareImported(bytes, readOnnx(bytes, onnxReader(proto!), file), { doc: r.doc, weights: r.weights ?? {}, report: r.report }, { ort: ort as never, seed });
      // float32 rounding grows with the values: above 1 the tolerance is relative (as zoo-parity).
      const ok = c.outputs.every((o) => o.maxAbsDiff <= PARITY_TOLERANCE * Math.max(1, o.refMaxAbs));
      const fed = c.inputs.map((i) => `${cliField(i.name)} [${i.shape.join(', ')}]`).join(', ');
      io.out(`${file}: max |imported (tfjs) − onnxruntime| = ${c.maxAbsDiff.toExponential(2)} (${ok ? 'ok' : 'FAIL'}, tolerance ${PARITY_TOLERANCE} × max(1, largest |output|); random input ${fed}, seed ${seed})`);
      for (const o of c.outputs)
        io.out(`  ${cliField(o.name)}  [${o.shape.join(', ')}]  ${o.tfjsShape ? `the imported graph gives [${o.tfjsShape.join(', ')}]` : `${o.maxAbsDiff.toExponential(2)} (largest |value| ${o.refMaxAbs.toPrecision(3)})`}`);
      return ok ? 0 : 1;
    }),
};

export default importCommand;
