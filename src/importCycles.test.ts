// No file-level import cycles in src/ and blocks/: a cycle makes load order matter (a module can
// see another's exports still undefined) and ties files that should be read one at a time. Type-only
// imports count too: they are erased at run time, but a cycle of types is a cycle of ideas.
// Static imports and re-exports are followed; dynamic import() is not (it loads on demand).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const DIRS = ['src', 'blocks'];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'node_modules') out.push(...sourceFiles(p));
    } else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The module specifiers a file imports or re-exports statically. */
function importSpecifiers(text: string): string[] {
  // Block and line comments out first, so commented-out imports do not count.
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
  const specs: string[] = [];
  const re = /(?:^|[;\n])\s*(?:import|export)\s+(?:type\s+)?(?:[\w*\s{},$]*?\s+from\s+)?['"]([^'"]+)['"]/g;
  for (let m = re.exec(code); m; m = re.exec(code)) specs.push(m[1]!);
  return specs;
}

/** The file a relative specifier names (as Vite and tsx resolve it), or undefined. */
function resolveSpecifier(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(from), spec.replace(/\?.*$/, ''));
  for (const p of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')])
    if (existsSync(p) && statSync(p).isFile() && /\.tsx?$/.test(p)) return p;
  return undefined;
}

/** The import graph's strongly connected components of more than one file (or a file importing itself). */
function importCycles(files: string[]): string[][] {
  const edges = new Map<string, string[]>();
  for (const f of files) edges.set(f, importSpecifiers(readFileSync(f, 'utf8')).flatMap((s) => resolveSpecifier(f, s) ?? []));
  // Tarjan's algorithm, iterative (deep import chains must not overflow the stack).
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let next = 0;
  for (const root of files) {
    if (index.has(root)) continue;
    const work: { v: string; i: number }[] = [{ v: root, i: 0 }];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const top = work[work.length - 1]!;
      const outs = edges.get(top.v) ?? [];
      if (top.i < outs.length) {
        const w = outs[top.i++]!;
        if (!edges.has(w)) continue;
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) low.set(top.v, Math.min(low.get(top.v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1]!.v;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.v)!));
      }
      if (low.get(top.v) === index.get(top.v)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          scc.push(w);
        } while (w !== top.v);
        if (scc.length > 1 || outs.includes(top.v)) cycles.push(scc.map((p) => relative(ROOT, p)).sort());
      }
    }
  }
  return cycles;
}

describe('file-level import cycles', () => {
  it('the detector reads every kind of static import and finds a cycle', () => {
    expect(importSpecifiers("import a from './a';\nimport type { B } from \"./b\";\nexport * from './c';\nexport { d } from './d';\nimport './e';\n// import f from './f';\nconst g = await import('./g');")).toEqual(['./a', './b', './c', './d', './e']);
    const dir = mkdtempSync(join(tmpdir(), 'nb-cycles-'));
    try {
      mkdirSync(join(dir, 'sub'));
      writeFileSync(join(dir, 'a.ts'), "import { b } from './sub';\nexport const a = 1;\n");
      writeFileSync(join(dir, 'sub', 'index.ts'), "export { a as b } from '../a';\n");
      writeFileSync(join(dir, 'c.ts'), "import { a } from './a';\nimport x from './data.json';\n");
      writeFileSync(join(dir, 'd.ts'), "import { d } from './d';\n");
      const cycles = importCycles(['a.ts', 'sub/index.ts', 'c.ts', 'd.ts'].map((f) => join(dir, f)));
      expect(cycles.map((c) => c.map((p) => p.slice(p.indexOf('nb-cycles-')).replace(/^nb-cycles-\w+\//, '')))).toEqual([['a.ts', 'sub/index.ts'], ['d.ts']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('src/ and blocks/ have none', () => {
    const files = DIRS.flatMap((d) => sourceFiles(join(ROOT, d)));
    expect(files.length).toBeGreaterThan(100);
    expect(importCycles(files).map((c) => c.join(' ↔ '))).toEqual([]);
  });
});
