import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { APP_VERSION, GRAPH_METADATA_KEY } from './constants';

describe('constants', () => {
  it("APP_VERSION is package.json's version", () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(APP_VERSION).toBe(pkg.version);
  });
  it('the graph metadata key is the one earlier exports were written with', () => {
    expect(GRAPH_METADATA_KEY).toBe('neural-blocks.graph');
  });
});
