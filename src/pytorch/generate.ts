// CompiledModel → a readable PyTorch model.py (one nn.Module, a member per block, forward in
// graph order with a shape comment per line), train.py, README.md, and the weights converted to
// torch layouts. Pure TypeScript: runs in the browser and in Node (the CLI writes the files).
// Tensors stay channels-last between blocks, exactly as in tfjs (see prelude.ts).
import type { CompiledModel } from '../core/compile';
import { nodeWeights } from '../core/compile';
import { walkGraph } from '../core/walk';
import { formatDims } from '../core/shapes';
import { cleanIdentifier, uniqueName, type IdentifierRule } from '../core/text';
import type { GraphDoc } from '../core/graph';
import { frozenNodeIds } from '../core/frozen';
import type { BlockWeight, PytorchEmitted, PytorchSnippet, Shape } from '../core/spec';
import { BLOCKS, getBlock } from '../../blocks/index';
import type { NodeInfo } from '../core/infer';
import { parseTrainingConfig, type TrainingConfig } from '../train/config';
import { BASE_PRELUDE, WEIGHTS_PRELUDE, assemblePrelude, definedNames, orderSnippets } from './prelude';
import { type TorchWeight } from './weights';
import { PytorchExportError, py } from './emit';
import { trainScript } from './train';
import { readme } from './readme';

export { PytorchExportError };

export interface PytorchExport {
  files: { 'model.py': string; 'train.py': string; 'README.md': string };
  /** Tensors by state_dict name, already in torch layout. */
  weights: Record<string, TorchWeight>;
  /** Names of the forward() arguments and the returned outputs, in the compiled model's order. */
  inputs: string[];
  outputs: string[];
}

const PY_KEYWORDS = new Set(
  [
    // Python keywords and names forward() itself uses
    'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield self x _',
    // modules the generated code calls; the prelude's own names are added below
    'torch nn F math os json Model List Optional Tuple',
    // nn.Module attributes a member must not replace
    'forward training train eval parameters named_parameters buffers named_buffers modules named_modules children named_children to cuda cpu float double half type apply state_dict load_state_dict zero_grad register_buffer register_parameter register_module add_module get_submodule requires_grad_ share_memory extra_repr input_names output_names input_dtypes frozen_names',
  ]
    .join(' ')
    .split(' ')
    // every name any model.py prelude may define (a local of that name would shadow it), so a
    // node's Python name does not depend on which other blocks the graph holds
    .concat(preludeNames('value')),
);

/** The classes, or the functions and constants, the base prelude and every registered block's snippets define. */
function preludeNames(kind: 'class' | 'value'): string[] {
  const all = orderSnippets(BLOCKS.flatMap((b) => b.pytorchPrelude ?? []));
  return [BASE_PRELUDE, WEIGHTS_PRELUDE, ...all.map((s) => s.source)].flatMap((src) => definedNames(src, kind));
}

const PY_IDENTIFIER: IdentifierRule = { invalid: /[^A-Za-z0-9_]/g, start: /^[A-Za-z_]/, prefix: 'n_', reserved: (s) => PY_KEYWORDS.has(s) || s.startsWith('__') };

/** A valid, unique Python identifier for a node id ("r1/c1" → "r1_c1"). */
function identifiers(ids: string[]): Map<string, string> {
  const used = new Set<string>();
  const out = new Map<string, string>();
  for (const id of ids) out.set(id, uniqueName(cleanIdentifier(id, PY_IDENTIFIER), used));
  return out;
}

/** A shape as the generated code's comments write it: "(B, T, 64)". */
function fmtShape(s: Shape | undefined): string {
  if (!s) return '(?)';
  return formatDims(s, { open: '(', close: ')', sep: ', ', unknown: 'T', batch: 'B' });
}

/** The block's PyTorch translation (its spec's toPytorch), with the weights keyed by member. */
function emitNode(id: string, self: string, info: NodeInfo, ins: (string | undefined)[], outs: string[], outShapes: Shape[], tw: BlockWeight[]): PytorchEmitted {
  const spec = getBlock(info.type);
  if (!spec?.toPytorch)
    throw new PytorchExportError(
      `PyTorch export does not support ${info.type} (node "${id}") because ${spec?.pytorchUnsupported ?? 'no PyTorch translation is written for it yet'}: replace it with a supported block or add toPytorch to its module in blocks/`,
    );
  return spec.toPytorch({ params: info.params, nodeId: id, self, inputs: ins, outputs: outs, inputShapes: info.inputShapes, outputShapes: outShapes, weights: tw });
}

const PRELUDE_CLASSES = new Set(preludeNames('class').concat(['Model']));

/** The Python class name from the document name. */
function className(doc: GraphDoc): string {
  const base = (doc.name ?? 'model').replace(/[^A-Za-z0-9]+/g, ' ').trim();
  const camel = base
    .split(' ')
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
  const name = /^[A-Za-z]/.test(camel) ? camel : `Model${camel}`;
  // Not the name of a prelude class (a graph named like a block's class must not shadow it).
  return PRELUDE_CLASSES.has(name) ? `${name}Model` : name;
}

/** Frozen blocks stay in inference mode under model.train(), as in the tfjs model (frozen batch statistics stay as they are). */
function frozenTrain(names: string[]): string[] {
  if (!names.length) return [];
  return [
    '',
    `    frozen_names = ${py(names)}`,
    '',
    '    def train(self, mode=True):',
    '        super().train(mode)',
    '        for name in self.frozen_names:',
    '            getattr(self, name).eval()',
    '        return self',
  ];
}

export function generatePytorch(compiled: CompiledModel, doc: GraphDoc): PytorchExport {
  const a = compiled.analysis;
  const ids = identifiers(a.order);
  const members: string[] = [];
  const forward: string[] = [];
  const weights: Record<string, TorchWeight> = {};
  const inputs = a.inputs.map((id) => ids.get(id)!);
  const frozen = frozenNodeIds(doc);
  const frozenMembers: string[] = [];
  const snippets: PytorchSnippet[] = [];
  const { outputs } = walkGraph<string>(a, (id, info, ins) => {
    const self = ids.get(id)!;
    const outShapes = info.outputPorts.map((port) => info.outputShapes![port]!);
    const outs = info.outputPorts.map((port) => (info.outputPorts.length === 1 ? self : `${self}_${port}`));
    if (info.type === 'Input') return outs;
    snippets.push(...(getBlock(info.type)?.pytorchPrelude ?? []));
    const e = emitNode(id, self, info, ins, outs, outShapes, nodeWeights(compiled, id));
    if (e.member) members.push(`        self.${self} = ${e.member}  # ${info.type} ${JSON.stringify(id)}`);
    if (e.member && frozen.has(id)) {
      members.push(`        self.${self}.requires_grad_(False)  # frozen ("trainable": false)`);
      frozenMembers.push(self);
    }
    for (const [k, w] of Object.entries(e.weights ?? {})) weights[`${self}.${k}`] = w;
    const comment = `  # ${outShapes.map(fmtShape).join(' ')}`;
    e.lines.forEach((l, i) => forward.push(`        ${l}${i === e.lines.length - 1 ? comment : ''}`));
    return outs;
  });
  const cls = className(doc);
  const inDocs = a.inputs.map((id) => {
    const i = a.nodes.get(id)!;
    return `${ids.get(id)}: ${fmtShape(i.outputShapes!.out)} ${i.outputDtypes?.out ?? 'float32'}`;
  });
  const model = [
    `# ${cls}: generated by Neural Blocks from ${JSON.stringify(doc.name ?? 'model')}. Tensors are channels-last`,
    '# (as in TensorFlow.js) between blocks; the shape comments use B for the batch and T for an',
    '# unknown length. Weights: load_weights(model) reads model.pt (a state_dict) beside this file.',
    assemblePrelude(snippets),
    '',
    `class ${cls}(nn.Module):`,
    `    """Inputs: ${inDocs.join('; ')}. Returns ${outputs.length === 1 ? 'one tensor' : `a tuple of ${outputs.length} tensors`} (${outputs.join(', ')})."""`,
    '',
    `    input_names = ${py(inputs)}`,
    `    output_names = ${py(a.outputs.map((o) => `${o.node}.${o.port}`))}`,
    `    input_dtypes = ${py(a.inputs.map((id) => a.nodes.get(id)!.outputDtypes?.out ?? 'float32'))}`,
    '',
    '    def __init__(self):',
    '        super().__init__()',
    ...(members.length ? members : ['        pass']),
    '',
    `    def forward(self, ${inputs.join(', ')}):`,
    ...forward,
    `        return ${outputs.length === 1 ? outputs[0] : `${outputs.join(', ')}`}`,
    ...frozenTrain(frozenMembers),
    '',
    '',
    `Model = ${cls}`,
    '',
    '',
    'if __name__ == "__main__":',
    '    model = load_weights(Model()).eval()',
    '    print(model)',
    '',
  ].join('\n');
  const { config } = parseTrainingConfig(doc.training as Record<string, unknown> | undefined);
  return {
    files: { 'model.py': model, 'train.py': trainScript(config, doc, a.outputs.map((o) => o.node)), 'README.md': readme(doc, cls, config) },
    weights,
    inputs,
    outputs,
  };
}

export type { TrainingConfig };
