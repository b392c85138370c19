import { describe, expect, it } from 'vitest';
import { cleanIdentifier, uniqueName } from './text';
import { fmtShape, formatDims } from './shapes';

describe('cleanIdentifier and uniqueName', () => {
  const py = { invalid: /[^A-Za-z0-9_]/g, start: /^[A-Za-z_]/, prefix: 'n_', reserved: (s: string) => s === 'class' };
  it('replaces what the rule forbids, prefixes a bad start, avoids reserved names', () => {
    expect(cleanIdentifier('block 1/add', py)).toBe('block_1_add');
    expect(cleanIdentifier('1x1', py)).toBe('n_1x1');
    expect(cleanIdentifier('class', py)).toBe('class_');
    expect(cleanIdentifier('a.b', { invalid: /[^A-Za-z0-9_.]/g })).toBe('a.b');
  });
  it('numbers a name already taken from 2 on', () => {
    const taken = new Set<string>();
    expect(['a', 'a', 'a', 'b'].map((n) => uniqueName(n, taken))).toEqual(['a', 'a_2', 'a_3', 'b']);
  });
});

describe('formatDims', () => {
  it('writes a shape in each style', () => {
    expect(fmtShape([null, 28, 28, 1])).toBe('[null, 28, 28, 1]');
    expect(fmtShape(undefined)).toBe('(none)');
    expect(formatDims([null, null, 64], { open: '(', close: ')', sep: ', ', unknown: 'T', batch: 'B' })).toBe('(B, T, 64)');
    expect(formatDims([24, null, 6], { open: '', close: '', sep: '×', unknown: '?' })).toBe('24×?×6');
  });
});
