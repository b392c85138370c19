// `npm run bench`: runs every bench module and writes bench/results/latest.json (all numbers)
// and bench/results/latest.md (the readable report). Not a test: numbers depend on the machine.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchAnalyze } from './analyze';
import { benchBuild } from './build';
import { benchOnnxExport } from './onnxExport';
import { benchUi } from './ui';
import { benchTrain } from './train';
import { benchTrainNode } from './trainNode';
import { benchVsTorch } from './vsTorch';
import { benchLoopOverhead } from './loopOverhead';
import { benchFirstEpoch } from './firstEpoch';
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
  // Training per backend in headless Chromium (issue 5): compiled vs hand-written step, ORT-web.
  { name: 'train', run: () => benchTrain() },
  // The hostable build (issue 19): dist/ size per data set, first-load payload, time to a usable canvas.
  { name: 'build', run: () => benchBuild() },
  // Training in Node (CLI, template measurements): tfjs CPU vs WASM with src/train/wasmKernels.ts.
  { name: 'trainNode', run: () => benchTrainNode() },
  // Training speed against PyTorch on the CPU (issue 18): WASM in Node and in Chromium.
  { name: 'vsTorch', run: () => benchVsTorch() },
  // The app's training loop against a bare step (issue 18's lean loop), Node CPU and WASM.
  { name: 'loopOverhead', run: () => benchLoopOverhead() },
  // Time to the first trained epoch of LeNet-5 per backend through the real app (issue 18): minutes.
  { name: 'firstEpoch', run: () => benchFirstEpoch() },
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
  // `npm run bench -- NAME…` reruns only those sections; the others are kept from the last run,
  // each labelled with when and under what load it was measured.
  const results: Record<string, unknown> = {};
  const measured: Record<string, { date: string; loadAverage1m: number }> = {};
  if (only.length && existsSync(join(OUT, 'latest.json'))) {
    const prev = JSON.parse(readFileSync(join(OUT, 'latest.json'), 'utf8')) as { machine: typeof machine; results: Record<string, unknown>; measured?: typeof measured };
    for (const [k, v] of Object.entries(prev.results)) {
      if (!MODULES.some((m) => m.name === k)) continue;
      results[k] = v;
      measured[k] = prev.measured?.[k] ?? { date: prev.machine.date, loadAverage1m: prev.machine.loadAverage1m };
    }
  }
  let failed = 0;
  for (const m of MODULES) {
    if (only.length && !only.includes(m.name)) continue;
    process.stderr.write(`bench: ${m.name}…\n`);
    measured[m.name] = { date: new Date().toISOString(), loadAverage1m: +loadavg()[0]!.toFixed(2) };
    try {
      results[m.name] = await m.run();
    } catch (e) {
      failed++;
      results[m.name] = { error: (e as Error).message };
      process.stderr.write(`bench: ${m.name} failed: ${(e as Error).message}\n`);
    }
  }
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'latest.json'), JSON.stringify({ machine, measured, results }, null, 2) + '\n');
  const md = [
    '# Benchmark results',
    '',
    `Written by \`npm run bench\` on ${machine.date}: Node ${machine.node}, ${machine.cpu} (${machine.cores} cores), ${machine.memoryGiB} GiB, 1-minute load average ${machine.loadAverage1m} at the start. Numbers depend on the machine and its load; compare runs on the same machine.`,
    '',
    ...MODULES.filter((m) => m.name in results).map((m) => sectionMarkdown(m.name, results[m.name]).replace(/\n/, `\n\n_Measured ${measured[m.name]?.date ?? machine.date}, 1-minute load average ${measured[m.name]?.loadAverage1m ?? '?'} at its start._\n`)),
  ].join('\n');
  writeFileSync(join(OUT, 'latest.md'), md.trimEnd() + '\n');
  process.stdout.write(md.trimEnd() + '\n');
  process.exitCode = failed ? 1 : 0;
}

await main();
