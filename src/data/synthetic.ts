// Generated 2-D point sets, as in TensorFlow Playground: the lecture's counter-examples for
// linear models (XOR, circles, spirals). Labels are class ids 0/1.
import { rng } from '../core/randomInputs';
import { sliceSplit, type Dataset, type Split } from './dataset';

export type PointSet = 'xor' | 'circles' | 'spirals';

export interface PointOptions {
  n?: number;
  noise?: number;
  seed?: number;
  testFraction?: number;
}

function gauss(r: () => number): number {
  // Box–Muller
  const u = Math.max(r(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

export function makePoints(kind: PointSet, opts: PointOptions = {}): Dataset {
  const n = opts.n ?? 1000;
  const noise = opts.noise ?? 0.05;
  const r = rng(opts.seed ?? 7);
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let px = 0;
    let py = 0;
    let label = 0;
    if (kind === 'xor') {
      px = r() * 2 - 1;
      py = r() * 2 - 1;
      // keep points off the axes so the classes are separable
      px += px > 0 ? 0.05 : -0.05;
      py += py > 0 ? 0.05 : -0.05;
      label = px * py > 0 ? 0 : 1;
    } else if (kind === 'circles') {
      label = i % 2;
      const radius = label === 0 ? r() * 0.5 : 0.7 + r() * 0.3;
      const angle = r() * 2 * Math.PI;
      px = radius * Math.cos(angle);
      py = radius * Math.sin(angle);
    } else {
      label = i % 2;
      const t = (Math.floor(i / 2) / (n / 2)) * 3.5 * Math.PI; // ~1.75 turns
      const rad = t / (3.5 * Math.PI);
      const angle = t + label * Math.PI;
      px = rad * Math.cos(angle);
      py = rad * Math.sin(angle);
    }
    x[2 * i] = px + noise * gauss(r);
    x[2 * i + 1] = py + noise * gauss(r);
    y[i] = label;
  }
  // interleave train/test by a shuffled order
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const xs = new Float32Array(n * 2);
  const ys = new Int32Array(n);
  order.forEach((src, dst) => {
    xs[2 * dst] = x[2 * src]!;
    xs[2 * dst + 1] = x[2 * src + 1]!;
    ys[dst] = y[src]!;
  });
  const all: Split = { x: [{ shape: [2], dtype: 'float32', data: xs }], y: [{ shape: [], dtype: 'int32', data: ys }], n };
  const nTest = Math.round(n * (opts.testFraction ?? 0.2));
  const titles: Record<PointSet, string> = { xor: 'XOR', circles: 'Circles', spirals: 'Two spirals' };
  const descs: Record<PointSet, string> = {
    xor: 'Points in the four quadrants; the class is the sign of x·y. No straight line separates them: a hidden layer is needed.',
    circles: 'An inner disc and an outer ring. Separable only by a curved boundary.',
    spirals: 'Two interleaved spirals — the hardest of the playground sets; needs several hidden layers or many units.',
  };
  return {
    name: kind,
    title: titles[kind],
    description: `${descs[kind]} ${n} generated points (seeded).`,
    task: 'classification',
    numClasses: 2,
    classNames: ['0', '1'],
    defaultLoss: 'sparseCategoricalCrossentropy',
    train: sliceSplit(all, nTest, n),
    test: sliceSplit(all, 0, nTest),
  };
}
