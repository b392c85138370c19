// `neural-blocks check FILE [--json]`: validation and shape inference of a graph file.
// Exit 0 valid, 1 graph errors, 2 unreadable or unparseable file (or bad usage).
import { CliUsageError, type CliIO, type Command } from '../command';
import { GraphFormatError, parseGraphText, type GraphDoc } from '../../core/graph';
import { analyze, shapesRecord, type Analysis, type Diagnostic } from '../../core/infer';
import { fmtShape } from '../../core/shapes';
import { cliField } from '../escape';
import { MAX_GRAPH_TEXT } from '../../core/limits';
import { readUserFile } from '../weightFiles';

export interface ParsedArgs {
  positional: string[];
  flags: Set<string>;
  options: Map<string, string>;
}

/**
 * Minimal argv parsing shared by the commands: `flags` are boolean switches (--json), `valued`
 * take a value (`-o OUT` or `--seed=3`). Anything else starting with "-" is a usage error, so
 * a typo never silently changes what runs.
 */
export function parseArgs(argv: string[], spec: { flags?: string[]; valued?: string[] } = {}): ParsedArgs {
  const flags = new Set<string>();
  const options = new Map<string, string>();
  const positional: string[] = [];
  const known = new Set(spec.flags ?? []);
  const valued = new Set(spec.valued ?? []);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('-') && a !== '-') {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(0, eq) : a;
      if (valued.has(name)) {
        const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
        if (v === undefined) throw new CliUsageError(`option ${name} needs a value`);
        options.set(name, v);
      } else if (known.has(name) && eq < 0) flags.add(name);
      else throw new CliUsageError(`unknown option ${JSON.stringify(a)}`);
      continue;
    }
    positional.push(a);
  }
  return { positional, flags, options };
}

/** The single FILE argument of a command, or a usage error naming what is wrong. */
export function oneFile(args: ParsedArgs, command: string): string {
  if (args.positional.length === 0) throw new CliUsageError(`${command}: missing FILE (a graph .json file); see neural-blocks ${command} --help`);
  if (args.positional.length > 1)
    throw new CliUsageError(`${command}: expected one FILE, got ${args.positional.length}: ${args.positional.map((p) => JSON.stringify(p)).join(' ')}`);
  return args.positional[0]!;
}

/** Reads and parses a graph file; a missing file or malformed document throws CliUsageError / GraphFormatError. */
export async function readGraphFile(file: string): Promise<GraphDoc> {
  const bytes = await readUserFile(file, '', MAX_GRAPH_TEXT);
  return parseGraphText(new TextDecoder().decode(bytes), file);
}

/** Runs a command body, turning the expected failures into one line on stderr and exit 2. */
export async function withFileErrors(io: CliIO, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof CliUsageError || e instanceof GraphFormatError) {
      io.err(`neural-blocks: ${cliField(e.message.replace(/\s*\n\s*/g, ' '))}`);
      return 2;
    }
    throw e;
  }
}

/**
 * JSON for stdout: indented for reading, but arrays of numbers and nulls (shapes) stay on one
 * line. JSON strings cannot hold a raw newline, so the collapsing never touches string content.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/\[\s*((?:-?[\d.e+-]+|null)(?:,\s*(?:-?[\d.e+-]+|null))*)\s*\]/g, (_m, inner: string) => `[${inner.split(/,\s*/).join(', ')}]`);
}

/** One diagnostic as the human format prints it: `node "id" [port/param]: message`. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = [d.port, d.param].filter((x) => x !== undefined).join('/');
  const head = d.node === null ? 'graph' : `node ${JSON.stringify(d.node)}${where ? ` [${where}]` : ''}`;
  return cliField(`${head}: ${d.message}`);
}

/** Diagnostics as --json prints them: {node, port?, param?, message}. */
export function jsonDiagnostic(d: Diagnostic): { node: string | null; port?: string; param?: string; message: string } {
  return {
    node: d.node,
    ...(d.port !== undefined ? { port: d.port } : {}),
    ...(d.param !== undefined ? { param: d.param } : {}),
    message: d.message,
  };
}

function humanReport(file: string, doc: GraphDoc, a: Analysis): string {
  const lines: string[] = [];
  const shapes = (id: string) => {
    const s = a.nodes.get(id)?.outputShapes;
    if (!s) return '?';
    const ports = Object.keys(s);
    return ports.map((p) => (ports.length > 1 ? `${p}: ${fmtShape(s[p])}` : fmtShape(s[p]))).join('  ');
  };
  // Ids and types come from the file: escaped, and widths by reduce (a spread of 100,000
  // arguments can overflow the stack).
  const ids = doc.nodes.map((n) => cliField(n.id));
  const types = doc.nodes.map((n) => cliField(n.type));
  const idW = ids.reduce((w, s) => Math.max(w, s.length), 2);
  const typeW = types.reduce((w, s) => Math.max(w, s.length), 4);
  if (a.ok) lines.push(`${file}: valid (${doc.nodes.length} nodes, ${doc.edges.length} edges)`);
  else lines.push(`${file}: ${a.errors.length} error${a.errors.length === 1 ? '' : 's'}`);
  for (const d of a.errors) lines.push(`  ${formatDiagnostic(d)}`);
  if (doc.nodes.length) {
    lines.push('shapes:');
    doc.nodes.forEach((n, k) => lines.push(`  ${ids[k]!.padEnd(idW)}  ${types[k]!.padEnd(typeW)}  ${cliField(shapes(n.id))}`));
  }
  if (a.ok) {
    lines.push(`inputs: ${cliField(a.inputs.join(', ')) || '(none)'}`);
    // Outputs are the flat graph's: inside a macro block they are "instance/inner" nodes.
    const outs = a.outputs.map((o) => ((a.flat.nodes.get(o.node)?.outputPorts.length ?? 1) > 1 ? `${o.node}.${o.port}` : o.node));
    lines.push(`outputs: ${cliField(outs.join(', ')) || '(none)'}`);
  }
  return lines.join('\n');
}

export const checkCommand: Command = {
  name: 'check',
  summary: 'validate a graph file and infer every tensor shape',
  help: `Usage: neural-blocks check FILE [--json]

Validates a graph file (docs/graph-format.md) and infers the output shape of every node.
All errors are reported, each on the node (and port or param) where it can be fixed; shapes
are still inferred up to the first error on each path.

Options:
  --json      print {"ok": bool, "shapes": {nodeId: {port: [null, ...]}},
              "errors": [{"node": id or null, "port"?: ..., "param"?: ..., "message": ...}]}
  -h, --help  show this help

Exit status: 0 valid, 1 graph errors, 2 unreadable or unparseable file (or bad usage).

Example:
  neural-blocks check templates/lenet5.json --json`,
  run: (argv, io) =>
    withFileErrors(io, async () => {
      const args = parseArgs(argv, { flags: ['--json'] });
      const file = oneFile(args, 'check');
      const doc = await readGraphFile(file);
      const a = analyze(doc);
      if (args.flags.has('--json')) io.out(toJson({ ok: a.ok, shapes: shapesRecord(a), errors: a.errors.map(jsonDiagnostic) }));
      else io.out(humanReport(file, doc, a));
      return a.ok ? 0 : 1;
    }),
};

export default checkCommand;
