// Auto's choice: the ranking and the sentence the panel shows, and the step timing on real tfjs
// backends (CPU and WASM in Node).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GraphDoc } from '../core/graph';
import { choiceKey, explainChoice, fastest, softwareRenderer, timeSteps, type Measured } from './autoChoice';
import { DEFAULT_TRAINING } from './config';
import { bridgeWasmKernels } from './wasmKernels';

const swiftshader: Measured[] = [
  { backend: 'wasm', msPerStep: 40 },
  { backend: 'webgl', msPerStep: 480, software: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)' },
  { backend: 'webgpu', msPerStep: 2600, lowerBound: true, software: 'google / swiftshader' },
];

describe('the automatic backend choice', () => {
  it('takes the fastest measured backend, never one only known to be slower than a bound', () => {
    expect(fastest(swiftshader)?.backend).toBe('wasm');
    expect(fastest([{ backend: 'webgpu', msPerStep: 5 }, { backend: 'wasm', msPerStep: 40 }])?.backend).toBe('webgpu');
    expect(fastest([{ backend: 'webgpu', msPerStep: 1, lowerBound: true }, { backend: 'wasm', msPerStep: 40 }])?.backend).toBe('wasm');
    expect(fastest([{ backend: 'webgl', msPerStep: NaN, failed: 'no OffscreenCanvas' }])).toBeUndefined();
  });

  it('says what it chose and why, with the measured ratios', () => {
    expect(explainChoice(swiftshader)).toBe(
      'WASM, chosen automatically: 40 ms a training step — WebGL here is a software emulation (ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)): WASM is 12× faster for this model (480 ms a step); WebGPU here is a software emulation (google / swiftshader): WASM is ≥ 65× faster for this model (> 2,600 ms a step)',
    );
    expect(explainChoice([{ backend: 'webgpu', msPerStep: 4 }, { backend: 'wasm', msPerStep: 30 }, { backend: 'webgl', msPerStep: NaN, failed: 'context lost' }], true)).toBe(
      'WebGPU, chosen automatically (measured earlier on this machine): 4.0 ms a training step — WASM: WebGPU is 7.5× faster for this model (30 ms a step); WebGL did not run (context lost)',
    );
  });

  it('recognises software renderers by name', () => {
    expect(softwareRenderer('google / swiftshader')).toBe('google / swiftshader');
    expect(softwareRenderer('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe('llvmpipe (LLVM 15.0.6, 256 bits)');
    expect(softwareRenderer('Microsoft Basic Render Driver')).toBe('Microsoft Basic Render Driver');
    expect(softwareRenderer('ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0)')).toBeUndefined();
    expect(softwareRenderer('apple / metal-3')).toBeUndefined();
  });

  it('caches per model structure, batch size and machine', () => {
    const g = JSON.parse(readFileSync('templates/lenet5.json', 'utf8')) as GraphDoc;
    const cfg = { ...DEFAULT_TRAINING };
    const k = choiceKey(g, cfg, 'm1');
    expect(choiceKey({ ...g, name: 'renamed', nodes: g.nodes.map((n) => ({ ...n, position: { x: 1, y: 2 } })) }, cfg, 'm1')).toBe(k);
    expect(choiceKey(g, { ...cfg, batchSize: 64 }, 'm1')).not.toBe(k);
    expect(choiceKey(g, cfg, 'm2')).not.toBe(k);
  });

  it('times real training steps of a model on CPU and WASM', async () => {
    const g: GraphDoc = {
      format: 'neural-blocks.graph',
      version: 1,
      nodes: [
        { id: 'x', type: 'Input', params: { shape: [28, 28, 1] } },
        { id: 'c', type: 'Conv2D', params: { filters: 8, kernelSize: 5, activation: 'relu' } },
        { id: 'f', type: 'Flatten', params: {} },
        { id: 'y', type: 'Dense', params: { units: 10, activation: 'softmax' } },
      ],
      edges: [
        { source: 'x', target: 'c' },
        { source: 'c', target: 'f' },
        { source: 'f', target: 'y' },
      ],
    };
    const cfg = { ...DEFAULT_TRAINING, batchSize: 16 };
    await tf.setBackend('wasm');
    bridgeWasmKernels();
    const wasm = await timeSteps(g, cfg);
    await tf.setBackend('cpu');
    const cpu = await timeSteps(g, cfg);
    expect(wasm.lowerBound).toBe(false);
    expect(wasm.msPerStep).toBeGreaterThan(0);
    // The pure-JS CPU backend is the slow one for a CNN (34× at batch 32 in bench trainNode).
    expect(cpu.msPerStep).toBeGreaterThan(wasm.msPerStep);
    // A first step over budget ends the probe with a lower bound.
    const capped = await timeSteps(g, cfg, { perBackendMs: 0, firstStepMs: 1 });
    expect(capped.lowerBound).toBe(true);
  });
});
