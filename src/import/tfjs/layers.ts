// The layer table of tfjs / Keras import: Keras class name → block, and how a layer's config
// becomes the block's params. A block's type is its Keras class name (the registry gives the
// table); classes saved under another name map here (our GRU with resetAfter saves as
// GRUResetAfter, as tfjs' GRU cannot do it). InputLayer is the graph's Input (index.ts).
import { BLOCKS } from '../../../blocks/index';
import type { AnyBlockSpec } from '../../core/spec';
import { resolveParams } from '../../core/params';

export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A layer of modelTopology as tfjs writes it. */
export interface KLayer {
  class_name: string;
  config: Record<string, unknown>;
  name?: string;
  inbound_nodes?: unknown[];
}

/** Keras classes whose block has another name. */
const RENAMED: Readonly<Record<string, string>> = { GRUResetAfter: 'GRU' };

function classTable(): ReadonlyMap<string, AnyBlockSpec> {
  // "Input" is no Keras layer class (its layer is InputLayer), so it is not in the table.
  const table = new Map<string, AnyBlockSpec>(BLOCKS.filter((b) => b.type !== 'Input').map((b) => [b.type, b]));
  for (const [cls, type] of Object.entries(RENAMED)) table.set(cls, BLOCKS.find((b) => b.type === type)!);
  return table;
}

/** Keras class name → block. */
export const KERAS_CLASSES: ReadonlyMap<string, AnyBlockSpec> = classTable();

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Config keys that change what a layer computes and that no block has: refuse rather than drop. */
const MUST_BE_DEFAULT: Record<string, unknown> = {
  data_format: 'channels_last',
  stateful: false,
  time_major: false,
};
/** Config keys that only affect training from scratch, naming, or dtype policy. */
const IGNORED = /(_initializer|_regularizer|_constraint)$|^(name|trainable|dtype|batch_input_shape|input_shape|batch_size|implementation|unroll|sparse|ragged|input_dtype)$/;

/**
 * A layer's config → the block's params: snake_case keys become camelCase params (those the block
 * has; initializers, regularizers and constraints only matter for training from scratch and are
 * dropped). `reasons` lists every key that has no exact counterpart (the layer is then refused).
 */
export function layerParams(spec: AnyBlockSpec, config: Record<string, unknown>): { params: Record<string, unknown>; reasons: string[] } {
  const params: Record<string, unknown> = {};
  const reasons: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (Object.hasOwn(MUST_BE_DEFAULT, key)) {
      if (value !== MUST_BE_DEFAULT[key] && value !== null && value !== undefined)
        reasons.push(`${key} ${JSON.stringify(value)} is not supported (blocks are ${key} ${JSON.stringify(MUST_BE_DEFAULT[key])})`);
      continue;
    }
    if (IGNORED.test(key)) continue;
    const p = camel(key);
    if (!Object.hasOwn(spec.params, p)) {
      // Keras-only knobs that equal our behaviour are dropped silently only when at their default.
      if (value === null || value === false || value === undefined) continue;
      reasons.push(`config "${key}" = ${JSON.stringify(value)} has no counterpart in the ${spec.type} block`);
      continue;
    }
    // tfjs writes an unset option as null (e.g. LSTM unitForgetBias): the block's default.
    if (value === null || value === undefined) continue;
    params[p] = (p === 'activation' || p === 'recurrentActivation') && typeof value === 'string' ? camel(value) : value;
  }
  for (const i of resolveParams(spec, params).issues) reasons.push(`param ${i.param}: ${i.message}`);
  return { params, reasons };
}
