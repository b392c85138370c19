// Shape arithmetic torch writes around a computed value (issue 15: Swin's window padding
// (w - W % w) % w): an integer Mod of constants folds like Add / Div, and after a refused op the
// ops the import only folds (Shape, ConstantOfShape, …) are "not checked", never blockers of their
// own — the report names the real blocker alone.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { onnxReader } from '../onnx/read';
import { ImportError, importOnnx } from './index';

const reader = onnxReader(readFileSync(new URL('../onnx/onnx.proto', import.meta.url), 'utf8'));
const ints = (name: string, v: number[]) => ({ name, dims: [v.length], data_type: 7, int64_data: v });

/** x [1, 4] → nodes → y [1, 4]. */
function onnx(nodes: object[], initializer: object[]): Uint8Array {
  const vi = (name: string) => ({ name, type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 1 }, { dim_value: 4 }] } } } });
  const graph = { name: 'g', node: nodes, initializer, input: [vi('x')], output: [vi('y')] };
  return reader.ModelProto.encode(reader.ModelProto.fromObject({ ir_version: 8, opset_import: [{ domain: '', version: 17 }], graph })).finish();
}

/** y = Reshape(Relu(src), [batch, (W + 3) mod b + add, −1]) with W = shape(src)[1] = 4. */
function reshapeByMod(src: string, extra: object[], mod: { b: number; fmod?: number; add: number }): Uint8Array {
  return onnx(
    [
      ...extra,
      { op_type: 'Relu', input: [src], output: ['r'] },
      { op_type: 'Shape', input: ['r'], output: ['s'] },
      { op_type: 'Gather', input: ['s', 'one'], output: ['w'], attribute: [{ name: 'axis', type: 2, i: 0 }] },
      { op_type: 'Add', input: ['w', 'three'], output: ['w3'] },
      { op_type: 'Mod', input: ['w3', 'b'], output: ['m'], name: 'mod', attribute: [{ name: 'fmod', type: 2, i: mod.fmod ?? 0 }] },
      { op_type: 'Add', input: ['m', 'add'], output: ['n'] },
      { op_type: 'Concat', input: ['keep', 'n', 'rest'], output: ['shape'], attribute: [{ name: 'axis', type: 2, i: 0 }] },
      { op_type: 'Reshape', input: ['r', 'shape'], output: ['y'] },
    ],
    [ints('one', [1]), ints('three', [3]), ints('b', [mod.b]), ints('add', [mod.add]), ints('keep', [0]), ints('rest', [-1])],
  );
}

describe('ONNX shape arithmetic with Mod', () => {
  it('(4 + 3) mod 7 = 0, mod −3 = −2 (the divisor\'s sign), fmod 5 = 2, mod 5 = 2 fold into the Reshape target', () => {
    const cases: [{ b: number; fmod?: number; add: number }, number[]][] = [
      [{ b: 7, add: 4 }, [4, -1]],
      [{ b: -3, add: 6 }, [4, -1]],
      [{ b: 5, fmod: 1, add: 2 }, [4, -1]],
      [{ b: 5, add: 0 }, [2, -1]],
    ];
    for (const [mod, target] of cases) {
      const r = importOnnx(reshapeByMod('x', [], mod), reader, { source: 'mod.onnx' });
      expect(r.doc.nodes.map((n) => [n.type, n.params?.targetShape])).toEqual([['Input', undefined], ['Activation', undefined], ['Reshape', target]]);
    }
  });

  it('after a refused CumSum, the Shape / Gather / Mod / Concat arithmetic reading it is not named as blockers', () => {
    let err: ImportError | undefined;
    try {
      importOnnx(reshapeByMod('c', [{ op_type: 'CumSum', input: ['x', 'axis'], output: ['c'], name: 'cumsum' }], { b: 7, add: 4 }), reader, { source: 'mod.onnx' });
    } catch (e) {
      err = e as ImportError;
    }
    expect(err).toBeInstanceOf(ImportError);
    expect(err!.unsupported.map((u) => u.op)).toEqual(['CumSum']);
    expect(err!.unchecked).toBeGreaterThan(0);
  });
});
