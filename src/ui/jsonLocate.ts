// Where in the JSON text a problem is: maps a path into the document (["nodes", 3, "params",
// "units"]) to the line and columns of that value, so the JSON panel's markers sit on the
// offending value instead of line 1. Pure functions (no Monaco), unit-tested in jsonLocate.test.ts.
import type { GraphDoc } from '../core/graph';
import type { Analysis, Diagnostic } from '../core/infer';

export type JsonPath = (string | number)[];

/** A value's extent in the text (character offsets, end exclusive) and its members. */
interface PosNode {
  start: number;
  end: number;
  members?: Map<string, PosNode>;
  items?: PosNode[];
}

/** 1-based line and column range, as Monaco's markers take it. */
export interface TextRange {
  startLine: number;
  startCol: number;
  endLine: number;
  endCol: number;
}

const WS = new Set([' ', '\t', '\n', '\r']);

/**
 * Parses JSON text into a tree of value positions. The text is expected to be valid JSON (callers
 * run JSON.parse first); on malformed input it stops early and returns what it has. A repeated
 * key keeps its last occurrence, as JSON.parse does.
 */
export function jsonPositions(text: string): PosNode | undefined {
  let i = 0;
  const n = text.length;
  const ws = () => {
    while (i < n && WS.has(text[i]!)) i++;
  };
  const str = (): string => {
    const s = i++;
    while (i < n && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    try {
      return JSON.parse(text.slice(s, i)) as string;
    } catch {
      return text.slice(s + 1, i - 1);
    }
  };
  const value = (): PosNode | undefined => {
    ws();
    if (i >= n) return undefined;
    const start = i;
    const c = text[i];
    if (c === '{') {
      i++;
      const members = new Map<string, PosNode>();
      ws();
      if (text[i] === '}') return { start, end: ++i, members };
      while (i < n) {
        ws();
        if (text[i] !== '"') return undefined;
        const key = str();
        ws();
        if (text[i] !== ':') return undefined;
        i++;
        const v = value();
        if (!v) return undefined;
        members.set(key, v);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return { start, end: ++i, members };
        else return undefined;
      }
      return undefined;
    }
    if (c === '[') {
      i++;
      const items: PosNode[] = [];
      ws();
      if (text[i] === ']') return { start, end: ++i, items };
      while (i < n) {
        const v = value();
        if (!v) return undefined;
        items.push(v);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return { start, end: ++i, items };
        else return undefined;
      }
      return undefined;
    }
    if (c === '"') {
      str();
      return { start, end: i };
    }
    // A number, true, false or null: up to the next delimiter.
    while (i < n && !WS.has(text[i]!) && text[i] !== ',' && text[i] !== '}' && text[i] !== ']') i++;
    return i > start ? { start, end: i } : undefined;
  };
  return value();
}

/** The value at `path`, or undefined when some step of it is not in the text. */
function walk(root: PosNode | undefined, path: JsonPath): PosNode | undefined {
  let cur = root;
  for (const seg of path) {
    if (!cur) return undefined;
    cur = typeof seg === 'number' ? cur.items?.[seg] : cur.members?.get(seg);
  }
  return cur;
}

function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) out.push(i + 1);
  return out;
}

function toLineCol(starts: number[], off: number): { line: number; col: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= off) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, col: off - starts[lo]! + 1 };
}

/** Locates values in one text; builds the position tree once for many look-ups. */
export class JsonLocator {
  private readonly root: PosNode | undefined;
  private readonly starts: number[];
  constructor(private readonly text: string) {
    this.root = jsonPositions(text);
    this.starts = lineStarts(text);
  }

  /**
   * The range of the first of `paths` found in the text. A value spanning several lines (an
   * object or a list) is marked on its first line only. Undefined when none is found.
   */
  find(...paths: JsonPath[]): TextRange | undefined {
    for (const p of paths) {
      const v = walk(this.root, p);
      if (!v) continue;
      const a = toLineCol(this.starts, v.start);
      let b = toLineCol(this.starts, v.end);
      if (b.line !== a.line) {
        const lineEnd = (this.starts[a.line] ?? this.text.length + 1) - 1;
        b = { line: a.line, col: Math.max(a.col + 1, lineEnd - this.starts[a.line - 1]! + 1) };
      }
      return { startLine: a.line, startCol: a.col, endLine: b.line, endCol: b.col };
    }
    return undefined;
  }
}

/**
 * The path a GraphFormatError message (src/core/graph.ts) names: `JSON: nodes[3] ("c1"):
 * "params" must be an object…` → ["nodes", 3, "params"]; `macros["Res"]: nodes[0]: …` →
 * ["macros", "Res", "nodes", 0, …]. An empty path (the whole document) when it names none.
 */
export function formatErrorPath(message: string): JsonPath {
  const path: JsonPath = [];
  let rest = message;
  const macro = /macros\[("(?:[^"\\]|\\.)*")\]/.exec(rest);
  if (macro) {
    path.push('macros', JSON.parse(macro[1]!) as string);
    rest = rest.slice(macro.index + macro[0].length);
  }
  const item = /\b(nodes|edges)\[(\d+)\]( \("(?:[^"\\]|\\.)*"\))?/.exec(rest);
  if (item) {
    path.push(item[1]!, Number(item[2]));
    rest = rest.slice(item.index + item[0].length);
  }
  if (/^: duplicate node id/.test(rest)) path.push('id');
  else {
    const key = /"(\w+)" must be/.exec(rest);
    if (key) path.push(key[1]!);
  }
  return path;
}

/** Where a diagnostic of the analysis points in the document, most specific first. */
export function diagnosticPaths(doc: GraphDoc, d: Diagnostic): JsonPath[] {
  if (d.edge !== undefined) {
    const e = doc.edges[d.edge];
    const at: JsonPath = ['edges', d.edge];
    if (!e) return [at];
    const ids = new Set(doc.nodes.map((n) => n.id));
    if (!ids.has(e.source)) return [[...at, 'source'], at];
    if (!ids.has(e.target)) return [[...at, 'target'], at];
    // A port problem is the handle on the side of the node it names.
    if (d.port !== undefined && d.node === e.source && d.node !== e.target) return [[...at, 'sourceHandle'], [...at, 'source'], at];
    return [[...at, 'targetHandle'], [...at, 'target'], at];
  }
  if (d.node === null) return [];
  const k = doc.nodes.findIndex((n) => n.id === d.node);
  if (k < 0) return [];
  const at: JsonPath = ['nodes', k];
  if (d.kind === 'unknown-type') return [[...at, 'type'], at];
  // A param that is present is the bad value; a missing (required) one points at "params".
  if (d.param !== undefined) return [[...at, 'params', d.param], [...at, 'params'], [...at, 'type'], at];
  return [[...at, 'id'], at];
}

export interface LocatedProblem extends TextRange {
  message: string;
  /** False for graph-level problems (no value to point at): they sit on line 1. */
  located: boolean;
}

/** The analysis' problems placed on the lines of the values they are about. */
export function locateDiagnostics(text: string, doc: GraphDoc, analysis: Pick<Analysis, 'errors'>): LocatedProblem[] {
  if (!analysis.errors.length) return [];
  const loc = new JsonLocator(text);
  return analysis.errors.map((d) => {
    const r = loc.find(...diagnosticPaths(doc, d));
    return r ? { ...r, message: d.message, located: true } : { startLine: 1, startCol: 1, endLine: 1, endCol: 2, message: d.message, located: false };
  });
}

/** A GraphFormatError's message placed on the value it names (the document's start when none). */
export function locateFormatError(text: string, message: string): TextRange {
  const path = formatErrorPath(message);
  const loc = new JsonLocator(text);
  // Fall back to shorter prefixes: a missing key points at the object that lacks it.
  const tries: JsonPath[] = [];
  for (let k = path.length; k >= 0; k--) tries.push(path.slice(0, k));
  return loc.find(...tries) ?? { startLine: 1, startCol: 1, endLine: 1, endCol: 2 };
}
