// `neural-blocks import FILE -o GRAPH.json [--weights-out DIR]`: an ONNX model or a tfjs
// layers model (model.json + the weight files its manifest lists) → a graph file, and the
// weights as a tfjs model.json + weights.bin that `export --weights` and `train` read.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { MAX_WEIGHT_BYTES, stripBom } from '../../core/limits';
import { readUserFile, readWeightFiles } from '../weightFiles';
import { cliField } from '../escape';
import { fileURLToPath } from 'node:url';
import type { Command } from '../command';
import { serializeGraph } from '../../core/graph';
import { ImportError, formatUnsupported, importFile, importedModelJson, weightsToBin } from '../../import/index';
import { oneFile, parseArgs, withFileErrors } from './check';

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
  help: `Usage: neural-blocks import FILE -o GRAPH.json [--weights-out DIR]

Reads an ONNX model (.onnx) or a tfjs / Keras layers model (model.json, with the weight files
its manifest lists beside it) and writes an editable graph file. Files exported by Neural
Blocks reopen exactly (the graph travels inside them). Other models are mapped op by op;
image models come in channels-last: the imported graph takes NHWC input where the ONNX file
took NCHW (see docs/import.md).

Options:
  -o FILE             the graph file to write (default: print it on stdout)
  --weights-out DIR   also write the weights as DIR/model.json + DIR/weights.bin (load them
                      with \`neural-blocks export GRAPH.json --weights DIR/model.json\`)
  -h, --help          show this help

Exit status: 0 imported, 1 some ops have no block (one line each on stderr:
node "NAME" (OpType): reason), 2 unreadable or malformed file (or bad usage).

Example:
  neural-blocks import resnet18.onnx -o resnet18.json --weights-out resnet18-weights`,
  run: (argv, io) =>
    withFileErrors(io, async () => {
      const args = parseArgs(argv, { valued: ['-o', '--output', '--weights-out'] });
      const file = oneFile(args, 'import');
      const out = args.options.get('-o') ?? args.options.get('--output');
      const weightsOut = args.options.get('--weights-out');
      const bytes = await readBytes(file, 'model');
      const isOnnx = !file.toLowerCase().endsWith('.json') && bytes[0] !== 0x7b;
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
        io.err(`${file}: ${e.unsupported.length} op(s) have no block; nothing was written:`);
        for (const u of e.unsupported) io.err(cliField(formatUnsupported(u)));
        return 1;
      }
      const text = serializeGraph(r.doc);
      if (out) {
        await mkdir(dirname(resolve(out)), { recursive: true });
        await writeFile(out, text);
      } else io.out(text.trimEnd());
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
      return 0;
    }),
};

export default importCommand;
