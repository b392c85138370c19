// Regenerates docs/graph.schema.json, docs/blocks.md and src/ui/categories.css from the block registry.
//   npx tsx scripts/gen-schema.ts          write both files
//   npx tsx scripts/gen-schema.ts --check  exit 1 if either is out of date (CI-style)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BLOCKS } from '../blocks/index';
import { buildBlocksMarkdown, buildCategoriesCss, buildGraphSchema } from './schema';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export const GENERATED: { path: string; build: () => string }[] = [
  { path: 'docs/graph.schema.json', build: () => JSON.stringify(buildGraphSchema(BLOCKS), null, 2) + '\n' },
  { path: 'docs/blocks.md', build: () => buildBlocksMarkdown(BLOCKS) },
  { path: 'src/ui/categories.css', build: buildCategoriesCss },
];

function read(path: string): string | undefined {
  try {
    return readFileSync(join(ROOT, path), 'utf8');
  } catch {
    return undefined;
  }
}

const checkOnly = process.argv.includes('--check');
let stale = 0;
for (const g of GENERATED) {
  const text = g.build();
  if (read(g.path) === text) {
    console.log(`${g.path}: up to date`);
    continue;
  }
  if (checkOnly) {
    console.error(`${g.path}: out of date — run npx tsx scripts/gen-schema.ts`);
    stale++;
  } else {
    writeFileSync(join(ROOT, g.path), text);
    console.log(`${g.path}: written`);
  }
}
process.exitCode = stale ? 1 : 0;
