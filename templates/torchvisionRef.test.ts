// The layer-by-layer shape pairing of the zoo test: storage differences torch and the export are
// allowed (packed q/k/v, broadcast axes), anything else still shows.
import { describe, expect, it } from 'vitest';
import { unpackTorchStorage, unpairedShapes } from './torchvisionRef';

const mha: [string, number[]][] = [
  ['query.weight', [8, 8]],
  ['query.bias', [8]],
  ['key.weight', [8, 8]],
  ['key.bias', [8]],
  ['value.weight', [8, 8]],
  ['value.bias', [8]],
  ['output.weight', [8, 8]],
  ['output.bias', [8]],
];
const torchMha: [string, number[]][] = [
  ['attn.in_proj_weight', [24, 8]],
  ['attn.in_proj_bias', [24]],
  ['attn.out_proj.weight', [8, 8]],
  ['attn.out_proj.bias', [8]],
];

describe('unpackTorchStorage / unpairedShapes', () => {
  it('splits in_proj into q, k, v and drops only the known broadcast axes', () => {
    expect(unpackTorchStorage([...torchMha, ['encoder.pos_embedding', [1, 5, 8]], ['features.1.0.layer_scale', [8, 1, 1]], ['conv.weight', [8, 1, 3, 3]]])).toEqual([
      ['attn.in_proj_weight[q]', [8, 8]],
      ['attn.in_proj_weight[k]', [8, 8]],
      ['attn.in_proj_weight[v]', [8, 8]],
      ['attn.in_proj_bias[q]', [8]],
      ['attn.in_proj_bias[k]', [8]],
      ['attn.in_proj_bias[v]', [8]],
      ['attn.out_proj.weight', [8, 8]],
      ['attn.out_proj.bias', [8]],
      ['encoder.pos_embedding', [5, 8]],
      ['features.1.0.layer_scale', [8]],
      ['conv.weight', [8, 1, 3, 3]],
    ]);
  });

  it('pairs separate q/k/v projections with a packed in_proj, and still reports a missing one', () => {
    expect(unpairedShapes(mha, torchMha)).toEqual([]);
    const noValue = mha.filter(([n]) => !n.startsWith('value.'));
    expect(unpairedShapes(noValue, torchMha)).toEqual([
      // q/k/v/output weights share one shape, so the greedy pairing runs out at the end.
      "torchvision's attn.out_proj.weight [8,8] has no template parameter of that shape near position 6 (past the end null)",
      "torchvision's attn.out_proj.bias [8] has no template parameter of that shape near position 7 (past the end null)",
    ]);
  });
});
