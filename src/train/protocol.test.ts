// Out-of-memory errors as the backends raise them, and the message the panel shows: it names the
// backend and the batch size and suggests a smaller batch. (The e2e test triggers a real one on
// the CPU backend: one batch's activations too large to allocate.)
import { describe, expect, it } from 'vitest';
import { oomMessage, outOfMemory } from './protocol';

describe('out of memory', () => {
  it('recognises each backend’s way of saying it', () => {
    expect(outOfMemory(new RangeError('Invalid typed array length: 9437184000'))).toBe(true);
    expect(outOfMemory(new RangeError('Array buffer allocation failed'))).toBe(true);
    expect(outOfMemory(new Error('Requested texture size [70000x3] greater than WebGL maximum on this browser / GPU [16384x16384].'))).toBe(true);
    expect(outOfMemory(new Error('Failed to allocate memory for buffer'))).toBe(true);
    expect(outOfMemory(new Error('Error: shapes [3,4] and [5,6] must match'))).toBe(false);
  });

  it('suggests half the batch, and a smaller model', () => {
    const m = oomMessage(new RangeError('Invalid typed array length: 9437184000'), 'CPU', 32768);
    expect(m).toBe('ran out of memory on CPU at batch size 32768 — try a smaller batch (e.g. 16384) or a smaller model. (Invalid typed array length: 9437184000)');
    expect(oomMessage(new Error('out of memory'), undefined, 1)).toBe('ran out of memory on this backend at batch size 1 — try a smaller batch or a smaller model. (out of memory)');
  });
});
