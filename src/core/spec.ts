// The contract every block type fulfils. One BlockSpec object carries everything about a block:
// its parameters (schema, defaults, docs), ports, pure shape inference, parameter and MAC counts,
// how it becomes tfjs layers, how it becomes ONNX nodes, and the fixtures the contract test runs.
// Pure TypeScript plus tfjs: no React, no DOM, so it runs in Node (CLI, tests) and the browser.
import type * as tfjs from '@tensorflow/tfjs';

/** A dimension: a size, or null when unknown (the batch, or a variable sequence length). */
export type Dim = number | null;
/** A tensor shape including the batch dimension first, e.g. [null, 28, 28, 1]. */
export type Shape = Dim[];
/** The highest tensor rank (batch included) tfjs runs: its slice, predict and many kernels stop at 6. */
export const MAX_RANK = 6;

export type Category =
  | 'io'
  | 'core'
  | 'activation'
  | 'conv'
  | 'pool'
  | 'reshape'
  | 'norm'
  | 'regularization'
  | 'recurrent'
  | 'attention'
  | 'merge'
  | 'generative';

/**
 * Each category's label and colour, in palette order: the one table the palette, canvas, docs and
 * the generated src/ui/categories.css read. `macro` is the canvas' macro nodes (not a block category).
 */
export const CATEGORIES: Record<Category | 'macro', { label: string; colour: string }> = {
  io: { label: 'Input / output', colour: '#3fb27f' },
  core: { label: 'Core', colour: '#4c8dff' },
  activation: { label: 'Activations', colour: '#e0a030' },
  conv: { label: 'Convolution', colour: '#8a63d2' },
  pool: { label: 'Pooling', colour: '#5b9bd5' },
  reshape: { label: 'Reshape', colour: '#7f8c8d' },
  norm: { label: 'Normalization', colour: '#2bb3c0' },
  regularization: { label: 'Regularization', colour: '#b0776a' },
  recurrent: { label: 'Recurrent', colour: '#d9598c' },
  attention: { label: 'Attention', colour: '#e36b3d' },
  merge: { label: 'Merge', colour: '#c7b23a' },
  generative: { label: 'Generative', colour: '#9ccc65' },
  macro: { label: 'Macro blocks', colour: '#e8e8e8' },
};
/** Block categories in palette and docs order. */
export const CATEGORY_ORDER = (Object.keys(CATEGORIES) as (Category | 'macro')[]).filter((c): c is Category => c !== 'macro');

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

interface ParamBase {
  doc: string;
  /** Shown in the node's title line on the canvas. */
  key?: boolean;
}
export interface IntParam extends ParamBase {
  kind: 'int';
  default: number | null;
  min?: number;
  max?: number;
  /** null is allowed (e.g. an optional size). */
  nullable?: boolean;
}
export interface FloatParam extends ParamBase {
  kind: 'float';
  default: number | null;
  min?: number;
  max?: number;
  /** The minimum itself is not allowed (e.g. a rate must be > 0). */
  exclusiveMin?: boolean;
  exclusiveMax?: boolean;
  nullable?: boolean;
}
export interface BoolParam extends ParamBase {
  kind: 'bool';
  default: boolean;
}
export interface EnumParam extends ParamBase {
  kind: 'enum';
  options: readonly string[];
  default: string;
}
/** A fixed-length tuple of ints; a single number stands for all entries (kernelSize: 3 → [3, 3]). */
export interface IntsParam extends ParamBase {
  kind: 'ints';
  length: number;
  default: number[] | null;
  min?: number;
  /** null is allowed and means "unset" (pooling strides default to the pool size). */
  nullable?: boolean;
}
/** A variable-length list of ints (Input shape, Reshape target, Permute dims). */
export interface IntListParam extends ParamBase {
  kind: 'intList';
  default: (number | null)[] | null;
  /** Entries may be null (unknown size, Input only). */
  allowNull?: boolean;
  /** Entry -1 may appear once (Reshape infers it). */
  allowMinusOne?: boolean;
  min?: number;
  minLength?: number;
  /** Required: the user must set it (no useful default). */
  required?: boolean;
}
/** A list of tuples, e.g. ZeroPadding2D's [[top, bottom], [left, right]]; a number or pair is expanded. */
export interface PaddingParam extends ParamBase {
  kind: 'padding2d';
  default: [[number, number], [number, number]];
}
export interface StringParam extends ParamBase {
  kind: 'string';
  default: string;
}

export type ParamDef = IntParam | FloatParam | BoolParam | EnumParam | IntsParam | IntListParam | PaddingParam | StringParam;
export type ParamSchema = Record<string, ParamDef>;

/** The value type a param resolves to. */
export type ParamValue<D extends ParamDef> = D extends IntParam
  ? D['nullable'] extends true
    ? number | null
    : number
  : D extends FloatParam
    ? D['nullable'] extends true
      ? number | null
      : number
    : D extends BoolParam
      ? boolean
      : D extends EnumParam
        ? D['options'][number]
        : D extends IntsParam
          ? D['nullable'] extends true
            ? number[] | null
            : number[]
          : D extends IntListParam
            ? (number | null)[]
            : D extends PaddingParam
              ? [[number, number], [number, number]]
              : string;

export type ResolvedParams<S extends ParamSchema> = { [K in keyof S]: ParamValue<S[K]> };

// ---------------------------------------------------------------------------------------------
// Ports
// ---------------------------------------------------------------------------------------------

export interface PortSpec {
  name: string;
  optional?: boolean;
  doc?: string;
}
/** Inputs fed on in0, in1, … in that order (merge blocks). */
export interface VariadicPorts {
  variadic: true;
  prefix: 'in';
  min: number;
}
export type InputPorts = PortSpec[] | VariadicPorts;

export function isVariadic(p: InputPorts): p is VariadicPorts {
  return !Array.isArray(p);
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/**
 * Thrown by a block's pure functions when its inputs or params do not fit. The validator turns
 * it into a diagnostic on the node (and port or param). The message should say what would fix it.
 */
export class BlockError extends Error {
  constructor(
    message: string,
    readonly where: { port?: string; param?: string } = {},
  ) {
    super(message);
    this.name = 'BlockError';
  }
}

// ---------------------------------------------------------------------------------------------
// tfjs building
// ---------------------------------------------------------------------------------------------

export interface TfjsBuildContext {
  tf: typeof tfjs;
  /** A unique, stable base name for this node's layers (the node id, sanitised). */
  name: string;
  /** Call for every layer the block creates, so its weights can be found for export. */
  register<L extends tfjs.layers.Layer>(layer: L): L;
  /** The dtype of each input (Embedding takes int32). */
  inputDtypes: (string | undefined)[];
  /** Kernel initializer chosen in the training config (glorotUniform unless set). */
  kernelInitializer?: string;
}

export type SymbolicTensor = tfjs.SymbolicTensor;

// ---------------------------------------------------------------------------------------------
// ONNX emission
// ---------------------------------------------------------------------------------------------

export type OnnxAttr =
  | { i: number }
  | { f: number }
  | { s: string }
  | { ints: number[] }
  | { floats: number[] }
  | { strings: string[] }
  | { t: OnnxTensorValue };

export type OnnxDType = 'float32' | 'int32' | 'int64' | 'bool';

export interface OnnxTensorValue {
  dtype: OnnxDType;
  dims: number[];
  data: Float32Array | Int32Array | BigInt64Array | Uint8Array | number[];
}

/** A weight of the block's tfjs layers, in the order their getWeights() returns them. */
export interface BlockWeight {
  /** tfjs' weight name, e.g. "c1/kernel". */
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface OnnxContext {
  /**
   * Adds a node; returns its output value names (fresh unique names unless given). `docString`
   * becomes the node's doc_string (what it stands for, in words, for readers of the file).
   */
  node(opType: string, inputs: string[], attrs?: Record<string, OnnxAttr>, opts?: { outputs?: number; name?: string; outputNames?: string[]; docString?: string }): string[];
  /** Adds a constant tensor (an initializer); returns its value name. */
  initializer(hint: string, value: OnnxTensorValue): string;
  /** Shorthands for small constants. */
  constInt64(hint: string, values: number[], dims?: number[]): string;
  constFloat(hint: string, values: number[] | Float32Array, dims: number[]): string;
  /** A unique value name built from a hint. */
  uniqueName(hint: string): string;
}

export interface OnnxEmitArgs<P> {
  params: P;
  nodeId: string;
  /** Value names of the inputs, in port order (undefined for an unfed optional port). */
  inputs: (string | undefined)[];
  inputShapes: (Shape | undefined)[];
  inputDtypes: (string | undefined)[];
  outputShapes: Shape[];
  weights: BlockWeight[];
}

// ---------------------------------------------------------------------------------------------
// PyTorch emission (model.py; helpers in src/pytorch/emit.ts)
// ---------------------------------------------------------------------------------------------

/** A tensor for the state_dict, already in torch layout. */
export interface TorchTensor {
  shape: number[];
  data: Float32Array;
}

export interface PytorchEmitArgs<P> {
  params: P;
  nodeId: string;
  /** The node's Python name: its nn.Module member is self.<name>. */
  self: string;
  /** Python variable names of the inputs, in port order (undefined for an unfed optional port). */
  inputs: (string | undefined)[];
  /** The variable name to assign for each output port. */
  outputs: string[];
  inputShapes: (Shape | undefined)[];
  outputShapes: Shape[];
  weights: BlockWeight[];
}

export interface PytorchEmitted {
  /** The nn.Module constructor expression for self.<name>, when the block has one. */
  member?: string;
  /** The member's state_dict entries, keyed relative to the member (e.g. "weight"). */
  weights?: Record<string, TorchTensor>;
  /** forward() lines; the last one gets the output shape comment. */
  lines: string[];
}

// ---------------------------------------------------------------------------------------------
// What a block brings along: its custom tfjs layer classes and its model.py prelude
// ---------------------------------------------------------------------------------------------

/** A custom tfjs layer (or cell) class; tf.serialization finds it again by its static className. */
export type TfjsLayerClass = tfjs.serialization.SerializableConstructor<tfjs.serialization.Serializable>;

/**
 * Python source that a block's toPytorch lines call beyond the shared base prelude (imports,
 * ACTIVATIONS, same_pads, to_cf/to_cl). model.py gets only the snippets its blocks need, each
 * once, a snippet's `requires` before it (src/pytorch/prelude.ts assembles them).
 */
export interface PytorchSnippet {
  /** A name unique across the registry (the class or function it defines). */
  name: string;
  /** Top-level Python definitions, no imports (the base prelude imports torch, nn, F, math, typing). */
  source: string;
  /** The snippets its code uses. */
  requires?: readonly PytorchSnippet[];
}

// ---------------------------------------------------------------------------------------------
// The spec
// ---------------------------------------------------------------------------------------------

export interface Fixture<P = Record<string, unknown>> {
  /** Raw params, as in a graph file (defaults fill the rest). */
  params: Partial<P> | Record<string, unknown>;
  /** Input shapes with the batch first (null or a number). */
  inputs: Shape[];
  /** Input dtypes where not float32. */
  dtypes?: ('float32' | 'int32')[];
  /** For int inputs: values are drawn from [0, maxInt). */
  maxInt?: number;
  /** Optional note for test names. */
  note?: string;
}

export interface ParamCounts {
  trainable: number;
  nonTrainable: number;
}

export interface BlockSpec<S extends ParamSchema = ParamSchema> {
  /** The public type name (the tfjs-layers class name where there is one). */
  type: string;
  category: Category;
  label: string;
  /** What it does and when to use it, 2–4 sentences. */
  docs: string;
  params: S;
  /** Input ports (may depend on params, e.g. LSTM's h0/c0). */
  inputs(p: ResolvedParams<S>): InputPorts;
  /** Output port names (may depend on params, e.g. LSTM returnState → out, h, c). */
  outputs(p: ResolvedParams<S>): string[];
  /** Extra checks across params (e.g. keyDim needs numHeads); throws BlockError. Optional. */
  checkParams?(p: ResolvedParams<S>): void;
  /**
   * Pure shape inference; must equal what tfjs computes. Inputs are in port order; an unfed
   * optional port is undefined. Throws BlockError when the inputs do not fit.
   */
  inferShape(inputs: (Shape | undefined)[], p: ResolvedParams<S>): Shape[];
  paramCount(inputs: (Shape | undefined)[], p: ResolvedParams<S>): ParamCounts;
  /** Multiply–accumulates for one example (batch 1). */
  macs(inputs: (Shape | undefined)[], p: ResolvedParams<S>, outputs: Shape[]): number;
  /** Builds the tfjs layers; returns one symbolic tensor per output port. */
  toTfjs(inputs: (SymbolicTensor | undefined)[], p: ResolvedParams<S>, ctx: TfjsBuildContext): SymbolicTensor[];
  /** Emits ONNX nodes; returns one value name per output port. */
  toOnnx?(ctx: OnnxContext, args: OnnxEmitArgs<ResolvedParams<S>>): string[];
  /** Why this block (with these params and input shapes) cannot be exported to ONNX; undefined when it can. */
  onnxUnsupported?(p: ResolvedParams<S>, inputShapes?: readonly (Shape | undefined)[]): string | undefined;
  /** Writes the block's model.py member, forward lines and torch-layout weights. */
  toPytorch?(args: PytorchEmitArgs<ResolvedParams<S>>): PytorchEmitted;
  /** Why this block cannot be written as PyTorch at all (the contract test wants this or toPytorch). */
  pytorchUnsupported?: string;
  /** The Python classes and functions toPytorch's lines call (beyond the base prelude). */
  pytorchPrelude?: readonly PytorchSnippet[];
  /**
   * The custom tfjs layer classes toTfjs creates. The registry (blocks/index.ts) registers them
   * with tf.serialization, so compiled models save and reload (modelFromJSON, loadLayersModel).
   */
  tfjsLayers?: readonly TfjsLayerClass[];
  /** What the trainer can show from this block: the first conv's feature maps, attention heatmaps. */
  probe?: 'activations' | 'attention';
  /** The activation the block's output ends with (loss hints: softmax for crossentropy, sigmoid for binary). */
  outputActivation?(p: ResolvedParams<S>): string | undefined;
  /** The block adds a loss term of its own while training (Sampling's KL), which fit() minimises too. */
  addsLoss?: boolean;
  /** Shapes the contract test runs through real tfjs (and onnxruntime). */
  fixtures: Fixture[];
  /** The block takes int32 inputs (Embedding); others reject token ids with a clear error. */
  acceptsInt?: boolean;
  /** The dtype of each output (default float32; Input may be int32). */
  outputDtypes?(p: ResolvedParams<S>, inputDtypes: (string | undefined)[]): string[];
}

/** Helper so a block module keeps its param types: `export default defineBlock({...})`. */
export function defineBlock<S extends ParamSchema>(spec: BlockSpec<S>): BlockSpec<S> {
  return spec;
}

/** Erased spec type for registries and generic code. */
export type AnyBlockSpec = BlockSpec<any>;
