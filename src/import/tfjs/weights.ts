// The weights file of a tfjs layers model: weights.bin read as the manifest describes it, every
// size checked against the bytes there are before anything is allocated.
import type * as tf from '@tensorflow/tfjs';
import { malformed } from '../types';
import { isObj } from './layers';

/** Weight name → shape and values, in manifest order. */
export function decodeWeights(modelJson: Record<string, unknown>, weightsBin: Uint8Array, source: string): Map<string, { shape: number[]; data: Float32Array }> {
  const manifest = modelJson.weightsManifest;
  if (!Array.isArray(manifest)) throw malformed(`${source}: model.json has no "weightsManifest" list`);
  const specs = (manifest as unknown[]).flatMap((g) => (isObj(g) && Array.isArray(g.weights) ? (g.weights as tf.io.WeightsManifestEntry[]) : []));
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  let off = 0;
  for (const s of specs) {
    if (!isObj(s) || typeof s.name !== 'string' || !Array.isArray(s.shape) || !s.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw malformed(`${source}: weightsManifest entry ${JSON.stringify(s)?.slice(0, 80)} is not {"name": string, "shape": [non-negative integers], "dtype"}`);
    if (s.dtype !== 'float32' || s.quantization) throw malformed(`${source}: weight "${s.name}" is ${s.quantization ? 'quantized' : s.dtype}; only float32 weights are read`);
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (!(off + n * 4 <= weightsBin.byteLength))
      throw malformed(`${source}: weights.bin has ${weightsBin.byteLength} bytes, but the manifest needs at least ${off + n * 4} (at weight "${s.name}") — is it the weights file of this model.json?`);
    const data = new Float32Array(n);
    new Uint8Array(data.buffer).set(weightsBin.subarray(off, off + n * 4));
    out.set(s.name, { shape: s.shape.slice(), data });
    off += n * 4;
  }
  if (off !== weightsBin.byteLength) throw malformed(`${source}: weights.bin has ${weightsBin.byteLength} bytes, the manifest describes ${off}`);
  return out;
}
