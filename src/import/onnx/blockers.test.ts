// The blocker report in parts (the canvas' Import report) and as the CLI's lines: both say the
// same, and the lines are the CLI's exact text.
import { describe, expect, it } from 'vitest';
import type { UnsupportedOp } from '../types';
import { blockerReport, formatBlockers, sectionLines } from './blockers';

const CONVS: UnsupportedOp[] = [
  ...['c0', 'c1', 'c2', 'c3'].map((node) => ({ op: 'Conv', node, reason: 'dilations [2, 2] with explicit pads' })),
  { op: 'Conv', node: 'c4', reason: 'group 3 of 6 channels' },
  { op: 'Conv', node: 'c5', reason: 'auto_pad VALID' },
  { op: 'Conv', node: 'c6', reason: 'a 5-D kernel' },
];
const LIST: UnsupportedOp[] = [
  ...CONVS,
  { op: 'Pow', node: '/ln/Pow', reason: 'no block for ONNX op Pow' },
  { op: 'Sqrt', node: '/ln/Sqrt', reason: 'no block for ONNX op Sqrt' },
  { op: 'nb.MultiHeadAttention', node: 'attn', reason: 'a key_padding_mask input' },
];

describe('blocker report', () => {
  it('sections: op ×count, the commonest reason, the others, every node name, and the cover said once', () => {
    const r = blockerReport('m.onnx', LIST, 2);
    expect(r.headline).toBe('m.onnx cannot be imported: 10 nodes (4 kinds of op) have no block; 2 later nodes read their outputs and were not checked.');
    expect(r.sections.map((s) => s.title)).toEqual(['Conv ×7', 'Pow ×1', 'Sqrt ×1', 'MultiHeadAttention (recognised from several ONNX ops) ×1']);
    const conv = r.sections[0]!;
    expect(conv.reason).toBe('dilations [2, 2] with explicit pads (4 of them)');
    expect(conv.also).toEqual(['group 3 of 6 channels (1)', 'auto_pad VALID (1)']);
    expect(conv.otherReasons).toBe(1);
    expect(conv.nodes).toBe('nodes: "c0", "c1", "c2" and 4 more');
    expect(conv.nodeNames).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
    expect(conv.cover).toBeUndefined();
    expect(r.sections[1]!.cover).toMatch(/^LayerNorm written out as ReduceMean/);
    expect(r.sections[2]!.cover).toBe('as for Pow above');
    expect(r.sections[3]!.nodes).toBe('node: "attn"');
  });

  it('formatBlockers prints the same sections as the CLI lines', () => {
    const lines = formatBlockers('m.onnx', LIST, 2);
    expect(lines.slice(0, 7)).toEqual([
      'm.onnx cannot be imported: 10 nodes (4 kinds of op) have no block; 2 later nodes read their outputs and were not checked. Nothing was written.',
      '  Conv ×7: dilations [2, 2] with explicit pads (4 of them)',
      '    also: group 3 of 6 channels (1)',
      '    also: auto_pad VALID (1)',
      '    and 1 other reason(s)',
      '    nodes: "c0", "c1", "c2" and 4 more',
      '  Pow ×1: no block for ONNX op Pow',
    ]);
    expect(lines).toContain('    would cover it: as for Pow above');
    const r = blockerReport('m.onnx', LIST, 2);
    expect(lines.slice(1)).toEqual(r.sections.flatMap(sectionLines));
  });

  it('one node: singular words, no "later nodes"', () => {
    const lines = formatBlockers('one.onnx', [{ op: 'Tile', node: 't', reason: 'no block for ONNX op Tile' }]);
    expect(lines).toEqual([
      'one.onnx cannot be imported: 1 node (1 kind of op) has no block. Nothing was written.',
      '  Tile ×1: no block for ONNX op Tile',
      '    node: "t"',
      '    would cover it: no block repeats a tensor; write the model so it broadcasts instead',
    ]);
  });
});
