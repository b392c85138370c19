import { describe, expect, it } from 'vitest';
import { candidates, chooseBackend, isDeviceLost, isOutOfMemory, nextBackend, type BackendName } from './backends';

/** A probe whose failures are injected per backend (a string = the reason, an Error = it throws). */
function probe(fail: Partial<Record<BackendName, string | Error>>) {
  const tried: BackendName[] = [];
  return {
    tried,
    fn: async (b: BackendName) => {
      tried.push(b);
      const f = fail[b];
      if (f instanceof Error) throw f;
      return f ?? null;
    },
  };
}

describe('backend choice', () => {
  it('Auto starts on WASM until it has measured the backends on a model', async () => {
    const p = probe({});
    const info = await chooseBackend('auto', p.fn);
    expect(info.name).toBe('wasm');
    expect(p.tried).toEqual(['wasm']);
    expect(info.summary).toMatch(/^WASM, for now — Auto times every backend on your model when training starts/);
  });

  it('falls back to WebGL when navigator.gpu is missing, and says why', async () => {
    const p = probe({ webgpu: 'navigator.gpu is missing — this browser (or context) has no WebGPU' });
    const info = await chooseBackend('webgpu', p.fn);
    expect(info.name).toBe('webgl');
    expect(info.attempts).toEqual([
      { backend: 'webgpu', ok: false, reason: 'navigator.gpu is missing — this browser (or context) has no WebGPU' },
      { backend: 'webgl', ok: true },
    ]);
    expect(info.summary).toMatch(/^WebGL — WebGPU unavailable: navigator\.gpu is missing/);
  });

  it('falls back to CPU when the adapter request throws and WebGL fails', async () => {
    const p = probe({ webgpu: new Error('requestAdapter() failed: GPU process crashed'), webgl: 'tfjs could not initialise the webgl backend', wasm: 'no WebAssembly' });
    const info = await chooseBackend('webgpu', p.fn);
    expect(info.name).toBe('cpu');
    expect(p.tried).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
    expect(info.summary).toMatch(/WebGPU unavailable: requestAdapter\(\) failed: GPU process crashed; WebGL unavailable: tfjs could not/);
  });

  it('honours the user choice and only falls back to later backends', async () => {
    const p = probe({ webgpu: 'should not be tried' });
    const info = await chooseBackend('webgl', p.fn);
    expect(info.name).toBe('webgl');
    expect(p.tried).toEqual(['webgl']);
    expect(info.summary).toBe('WebGL, as chosen');
    expect(candidates('cpu')).toEqual(['cpu']);
  });

  it('names every failure when nothing works', async () => {
    const p = probe({ webgpu: 'a', webgl: 'b', wasm: 'w', cpu: 'c' });
    await expect(chooseBackend('webgpu', p.fn)).rejects.toThrow(/webgpu: a; webgl: b; wasm: w; cpu: c/);
  });

  it('orders the resume backends after a lost device', () => {
    expect(nextBackend('webgpu')).toBe('webgl');
    expect(nextBackend('webgl')).toBe('wasm');
    expect(nextBackend('wasm')).toBe('cpu');
    expect(nextBackend('cpu')).toBeNull();
  });

  it('recognises out-of-memory and lost-device errors', () => {
    expect(isOutOfMemory(new Error('Failed to allocate memory for buffer'))).toBe(true);
    expect(isOutOfMemory(new RangeError('Array buffer allocation failed'))).toBe(true);
    expect(isOutOfMemory(new Error('shape mismatch'))).toBe(false);
    expect(isDeviceLost(new Error('GPUDevice was lost: destroyed'))).toBe(true);
    expect(isDeviceLost(new Error('Device is lost'))).toBe(true);
    expect(isDeviceLost(new Error('Failed to allocate memory'))).toBe(false);
  });
});
