// Weight layout conversions (tfjs → torch); pt.ts writes the result as model.pt.

export interface TorchWeight {
  shape: number[];
  data: Float32Array;
}

/** Permutes an array stored row-major with `shape` so that new axis i is old axis perm[i]. */
export function permuteData(data: Float32Array, shape: number[], perm: number[]): { shape: number[]; data: Float32Array } {
  const rank = shape.length;
  if (perm.length !== rank) throw new Error(`permutation ${JSON.stringify(perm)} does not fit shape ${JSON.stringify(shape)}`);
  const outShape = perm.map((p) => shape[p]!);
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= shape[i]!;
  }
  const out = new Float32Array(data.length);
  const idx = new Array<number>(rank).fill(0);
  const strides = perm.map((p) => inStrides[p]!);
  for (let k = 0; k < out.length; k++) {
    let src = 0;
    for (let i = 0; i < rank; i++) src += idx[i]! * strides[i]!;
    out[k] = data[src]!;
    for (let i = rank - 1; i >= 0; i--) {
      if (++idx[i]! < outShape[i]!) break;
      idx[i] = 0;
    }
  }
  return { shape: outShape, data: out };
}

/** A 2-D [rows, cols] matrix transposed to [cols, rows]. */
export function transpose2d(data: Float32Array, rows: number, cols: number): TorchWeight {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[base + c]!;
  }
  return { shape: [cols, rows], data: out };
}
