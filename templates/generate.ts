// Writes every template: templates/NAME.json (the graph, card and training config),
// templates/golden/NAME.shapes.txt (per-node shapes) and templates/index.json (the gallery list).
// Run on purpose after changing a template or a block's shape inference:
//   npx tsx templates/generate.ts
// templates.test.ts fails when the committed files differ from what this writes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serializeGraph } from '../src/core/graph';
import { analyze } from '../src/core/infer';
import { buildAll } from './catalog';
import { shapeLines } from './lib/golden';
import { galleryIndex } from './lib/gallery';

const here = dirname(fileURLToPath(import.meta.url));
mkdirSync(join(here, 'golden'), { recursive: true });
const all = buildAll();
let problems = 0;
for (const { name, doc } of all) {
  writeFileSync(join(here, `${name}.json`), serializeGraph(doc));
  writeFileSync(join(here, 'golden', `${name}.shapes.txt`), shapeLines(doc));
  const a = analyze(doc);
  if (!a.ok) {
    problems++;
    const first = a.errors.slice(0, 3).map((e) => e.message).join('; ');
    console.warn(`${name}: ${a.errors.length} error(s): ${first}`);
  }
}
writeFileSync(join(here, 'index.json'), JSON.stringify(galleryIndex(all), null, 2) + '\n');
console.log(`wrote ${all.length} templates${problems ? `; ${problems} do not validate yet (see above)` : ''}`);
