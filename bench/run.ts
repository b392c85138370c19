// `npm run bench`: runs every bench module and writes bench/results/latest.json (all numbers)
// and bench/results/latest.md (the readable report). Not a test: numbers depend on the machine.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchAnalyze } from './analyze';
import { benchOnnxExport } from './onnxExport';
import { benchUi } from './ui';
import type { BenchSection } from './types';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = join(HERE, 'results');

interface Module {
  name: string;
  run: () => BenchSection | Promise<BenchSection> | Promise<unknown> | unknown;
}

const MODULES: Module[] = [
  { name: 'analyze', run: benchAnalyze },
  // The ONNX exporter's benchmark (issue 3).
  { name: 'onnxExport', run: benchOnnxExport },
  // The app's UI benchmark (issue 4): headless Chromium on the production build.
  { name: 'ui', run: () => benchUi() },
];

function isSection(x: unknown): x is BenchSection {
  return typeof x === 'object' && x !== null && 'title' in x && 'table' in x;
}

const cell = (v: unknown) => String(v ?? '').replace(/\|/g, '\\|');

function sectionMarkdown(name: string, r: unknown): string {
  if (!isSection(r)) {
    const md = typeof r === 'object' && r !== null && 'markdown' in r ? String((r as { markdown: unknown }).markdown) : undefined;
    return (md ?? `## ${name}\n\n\`\`\`json\n${JSON.stringify(r, null, 2)}\n\`\`\``).trimEnd() + '\n';
  }
  const lines = [`## ${r.title}`, '', r.method, ''];
  lines.push(`| ${r.table.columns.map(cell).join(' | ')} |`, `| ${r.table.columns.map(() => '---').join(' | ')} |`);
  for (const row of r.table.rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
  lines.push('');
  if (r.targets?.length) {
    lines.push('Targets:', '');
    for (const t of r.targets) lines.push(`- ${t.met ? 'met' : '**not met**'}: ${t.what} (${t.detail})`);
    lines.push('');
  }
  for (const n of r.notes ?? []) lines.push(`- ${n}`);
  return lines.join('\n').trimEnd() + '\n';
}

async function main() {
  const only = process.argv.slice(2);
  const machine = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    loadAverage1m: +loadavg()[0]!.toFixed(2),
  };
  const results: Record<string, unknown> = {};
  let failed = 0;
  for (const m of MODULES) {
    if (only.length && !only.includes(m.name)) continue;
    process.stderr.write(`bench: ${m.name}…\n`);
    try {
      results[m.name] = await m.run();
    } catch (e) {
      failed++;
      results[m.name] = { error: (e as Error).message };
      process.stderr.write(`bench: ${m.name} failed: ${(e as Error).message}\n`);
    }
  }
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'latest.json'), JSON.stringify({ machine, results }, null, 2) + '\n');
  const md = [
    '# Benchmark results',
    '',
    `Written by \`npm run bench\` on ${machine.date}: Node ${machine.node}, ${machine.cpu} (${machine.cores} cores), ${machine.memoryGiB} GiB, 1-minute load average ${machine.loadAverage1m} at the start. Numbers depend on the machine and its load; compare runs on the same machine.`,
    '',
    ...Object.entries(results).map(([name, r]) => sectionMarkdown(name, r)),
  ].join('\n');
  writeFileSync(join(OUT, 'latest.md'), md.trimEnd() + '\n');
  process.stdout.write(md.trimEnd() + '\n');
  process.exitCode = failed ? 1 : 0;
}

await main();
