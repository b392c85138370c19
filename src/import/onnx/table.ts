// The op-resolve table: ONNX op type → importer, merged from one table per op family. Adding an
// op is one entry in its family's table (ops/*.ts); a type that two families both claim is a
// mistake caught when this module loads.
import type { OpImporter, OpTable } from './converter';
import { ACTIVATION_OPS } from './ops/activations';
import { ATTENTION_OPS } from './ops/attention';
import { AFFINE_OPS } from './ops/affine';
import { CHANNEL_OPS } from './ops/channels';
import { CONV_OPS } from './ops/conv';
import { CONV_TRANSPOSE_OPS } from './ops/convTranspose';
import { MATMUL_OPS } from './ops/matmul';
import { MERGE_OPS } from './ops/merge';
import { NORMALIZATION_OPS } from './ops/normalization';
import { POOLING_OPS } from './ops/pooling';
import { RECURRENT_OPS } from './ops/recurrent';
import { SAMPLING_OPS } from './ops/sampling';
import { SHAPE_OPS } from './ops/shape';
import { SWIN_OPS } from './ops/swin';

/** Each op family's table, by family name (the name of its module in ops/). */
export const OP_FAMILIES: Readonly<Record<string, OpTable>> = {
  activations: ACTIVATION_OPS,
  conv: CONV_OPS,
  convTranspose: CONV_TRANSPOSE_OPS,
  pooling: POOLING_OPS,
  normalization: NORMALIZATION_OPS,
  shape: SHAPE_OPS,
  channels: CHANNEL_OPS,
  merge: MERGE_OPS,
  matmul: MATMUL_OPS,
  recurrent: RECURRENT_OPS,
  attention: ATTENTION_OPS,
  affine: AFFINE_OPS,
  swin: SWIN_OPS,
  sampling: SAMPLING_OPS,
};

function merge(families: Readonly<Record<string, OpTable>>): Map<string, OpImporter> {
  const table = new Map<string, OpImporter>();
  const owner = new Map<string, string>();
  for (const [family, ops] of Object.entries(families))
    for (const [op, importer] of Object.entries(ops)) {
      if (owner.has(op)) throw new Error(`internal: ONNX op ${op} is claimed by both ops/${owner.get(op)}.ts and ops/${family}.ts`);
      owner.set(op, family);
      table.set(op, importer);
    }
  return table;
}

/** Every ONNX op type with an importer (a Map: no prototype keys such as "constructor"). */
export const ONNX_OPS: ReadonlyMap<string, OpImporter> = merge(OP_FAMILIES);
