// The torchvision side of the zoo templates' tests: Debian's python3-torchvision is asked for each
// model's trainable parameter count, conv + linear MACs and parameter shapes (torchvision_ref.py),
// and a template's own parameter shapes are read in torch layout from the PyTorch exporter, so the
// two lists can be compared layer by layer.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from '../src/core/compile';
import type { GraphDoc } from '../src/core/graph';
import { generatePytorch } from '../src/pytorch';

const here = dirname(fileURLToPath(import.meta.url));

export interface TorchvisionRef {
  params: number;
  buffers: number;
  macs: number;
  /** [parameter name, shape] in named_parameters() order. */
  shapes: [string, number[]][];
}

/** Builds the named torchvision models (random weights) in Debian's Python and reads their numbers. */
export function torchvisionReference(names: string[]): Record<string, TorchvisionRef> {
  const r = spawnSync('/usr/bin/python3', [join(here, 'torchvision_ref.py'), ...names], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`torchvision_ref.py ${names.join(' ')} failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout) as Record<string, TorchvisionRef>;
}

// BatchNorm's running statistics are buffers in torch, not parameters.
const BUFFER = /\.(running_mean|running_var|num_batches_tracked)$/;

/** The template's parameters as the PyTorch export writes them: [state_dict name, torch-layout shape]. */
export function templateTorchShapes(doc: GraphDoc): [string, number[]][] {
  const c = compile(doc);
  try {
    const { weights } = generatePytorch(c, doc);
    return Object.entries(weights)
      .filter(([name]) => !BUFFER.test(name))
      .map(([name, w]) => [name, w.shape]);
  } finally {
    c.model.dispose();
  }
}

/**
 * torchvision's parameters as separate tensors in the export's storage, where the two store the same
 * numbers differently: nn.MultiheadAttention keeps q, k and v stacked in one in_proj_weight
 * [3·D, D] / in_proj_bias [3·D] (the export has three [D, D] / [D] projections), and a few
 * parameters carry axes the export does not keep: ViT's pos_embedding [1, T, D] (the
 * export's table is [T, D]), ConvNeXt's layer_scale [C, 1, 1] (it
 * multiplies an NCHW map; the export's multiplies NHWC). Nothing else is changed.
 */
export function unpackTorchStorage(ref: [string, number[]][]): [string, number[]][] {
  const out: [string, number[]][] = [];
  for (const [name, shape] of ref) {
    if (/(^|\.)in_proj_(weight|bias)$/.test(name) && shape[0]! % 3 === 0) {
      for (const part of ['q', 'k', 'v']) out.push([`${name}[${part}]`, [shape[0]! / 3, ...shape.slice(1)]]);
    } else if (/(^|\.)pos_embedding$/.test(name) && shape[0] === 1) {
      out.push([name, shape.slice(1)]);
    } else if (/(^|\.)layer_scale$/.test(name) && shape.slice(1).every((d) => d === 1)) {
      out.push([name, [shape[0]!]]);
    } else {
      out.push([name, shape]);
    }
  }
  return out;
}

/**
 * Pairs torchvision's parameters (unpacked by unpackTorchStorage), in order, with the template's: each reference parameter takes the
 * first unpaired template parameter of the same shape at most `window` places from where it is
 * expected. The window lets a branch be declared in a different order than torch registers it
 * (ResNet's downsample is registered after conv2 but is built first here), while a layer that is
 * missing, extra or the wrong size still shows. Returns what could not be paired, named; empty
 * means the two agree layer by layer.
 */
export function unpairedShapes(mine: [string, number[]][], ref: [string, number[]][], window = 12): string[] {
  const used = new Array<boolean>(mine.length).fill(false);
  const problems: string[] = [];
  let cursor = 0;
  for (const [name, shape] of unpackTorchStorage(ref)) {
    const key = JSON.stringify(shape);
    let found = -1;
    for (let j = Math.max(0, cursor - window); j < Math.min(mine.length, cursor + window + 1); j++) {
      if (!used[j] && JSON.stringify(mine[j]![1]) === key) {
        found = j;
        break;
      }
    }
    if (found < 0) {
      problems.push(`torchvision's ${name} ${key} has no template parameter of that shape near position ${cursor} (${mine[cursor]?.[0] ?? 'past the end'} ${JSON.stringify(mine[cursor]?.[1] ?? null)})`);
    } else {
      used[found] = true;
    }
    cursor++;
  }
  mine.forEach(([name, shape], j) => {
    if (!used[j]) problems.push(`template parameter ${name} ${JSON.stringify(shape)} has no torchvision counterpart`);
  });
  return problems;
}
