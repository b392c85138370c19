// A GRU with the reset gate applied AFTER the recurrent matmul (Keras reset_after=True, ONNX
// linear_before_reset=1, PyTorch nn.GRU). tfjs-layers 4.22's GRUCell throws when asked for
// resetAfter, so this cell and layer add it:
//   x·W + b_in = [xz, xr, xh]        h·R + b_rec = [hz, hr, hh]      (gate order z, r, h)
//   z = σ(xz + hz)   r = σ(xr + hr)   candidate = act(xh + r ⊙ hh)   h' = z ⊙ h + (1 − z) ⊙ candidate
// Weights, in order: kernel [in, 3u], recurrent_kernel [u, 3u], bias [2, 3u] (row 0 the input
// bias, row 1 the recurrent bias — Keras' layout for reset_after). Dropout as tfjs' GRUCell does
// it: one input mask and one recurrent mask per call, applied before the matmuls, training only.
// The layer serializes as "GRUResetAfter" (config = tfjs' GRU config), so Bidirectional's clones
// and reloaded models (tf.models.modelFromJSON) get it back.
import * as tf from '@tensorflow/tfjs';
import type { Kwargs } from './common';
import type { TfjsLayerClass } from '../spec';

type GRUCellArgs = Parameters<typeof tf.layers.gruCell>[0];
type GRUCellInstance = ReturnType<typeof tf.layers.gruCell>;
type GRULayerArgs = Parameters<typeof tf.layers.gru>[0];

// tfjs does not export the GRUCell class itself, only its factory; take it from an instance.
const GRUCellBase = tf.layers.gruCell({ units: 1 }).constructor as new (args: GRUCellArgs) => GRUCellInstance;

/** ones, or (training) an inverted-dropout mask of ones, like tfjs' generateDropoutMask. */
function dropoutMask(like: tf.Tensor, rate: number, training: boolean): tf.Tensor {
  const ones = tf.onesLike(like);
  return training ? tf.dropout(ones, rate) : ones;
}

export class GRUResetAfterCell extends GRUCellBase {
  static className = 'GRUResetAfterCell';

  constructor(args: GRUCellArgs) {
    // The base class refuses resetAfter; everything else (activations, initializers,
    // regularizers, dropout rates) it parses as usual.
    super({ ...args, resetAfter: false });
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const inputDim = shape[shape.length - 1]!;
    this.kernel = this.addWeight('kernel', [inputDim, this.units * 3], undefined, this.kernelInitializer, this.kernelRegularizer, true, this.kernelConstraint);
    this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, this.units * 3], undefined, this.recurrentInitializer, this.recurrentRegularizer, true, this.recurrentConstraint);
    if (this.useBias) this.bias = this.addWeight('bias', [2, this.units * 3], undefined, this.biasInitializer, this.biasRegularizer, true, this.biasConstraint);
    else this.bias = null as unknown as typeof this.bias;
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor[] {
    return tf.tidy(() => {
      if (!Array.isArray(inputs) || inputs.length !== 2) throw new Error(`GRUResetAfterCell expects 2 input tensors (input, h), got ${Array.isArray(inputs) ? inputs.length : 1}`);
      const training = kwargs.training === true;
      let x = inputs[0]!;
      let h = inputs[1]!;
      const hPrev = h;
      if (this.dropout > 0 && this.dropout < 1) {
        // Kept across the time steps of one call (the layer clears it at the start of a call).
        if (this.dropoutMask == null) this.dropoutMask = tf.keep(dropoutMask(x, this.dropout, training));
        x = tf.mul(x, this.dropoutMask as tf.Tensor);
      }
      if (this.recurrentDropout > 0 && this.recurrentDropout < 1) {
        if (this.recurrentDropoutMask == null) this.recurrentDropoutMask = tf.keep(dropoutMask(h, this.recurrentDropout, training));
        h = tf.mul(h, this.recurrentDropoutMask as tf.Tensor);
      }
      let mx = tf.matMul(x, this.kernel.read());
      let mh = tf.matMul(h, this.recurrentKernel.read());
      if (this.useBias) {
        const [bIn, bRec] = tf.unstack(this.bias.read(), 0);
        mx = tf.add(mx, bIn!);
        mh = tf.add(mh, bRec!);
      }
      const [xz, xr, xh] = tf.split(mx, 3, 1);
      const [hz, hr, hh] = tf.split(mh, 3, 1);
      const z = this.recurrentActivation.apply(tf.add(xz!, hz!));
      const r = this.recurrentActivation.apply(tf.add(xr!, hr!));
      const cand = this.activation.apply(tf.add(xh!, tf.mul(r, hh!)));
      const out = tf.add(tf.mul(z, hPrev), tf.mul(tf.sub(1, z), cand));
      return [out, out];
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), resetAfter: true };
  }
}

export type GRUResetAfterArgs = Omit<GRULayerArgs, 'cell'>;

export class GRUResetAfter extends tf.RNN {
  static override className = 'GRUResetAfter';

  constructor(args: GRUResetAfterArgs) {
    super({ ...args, cell: new GRUResetAfterCell(args as GRUCellArgs) } as ConstructorParameters<typeof tf.RNN>[0]);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    // Fresh dropout masks for every call (as tfjs' GRU does).
    const cell = this.cell as GRUResetAfterCell;
    for (const k of ['dropoutMask', 'recurrentDropoutMask'] as const) {
      if (cell[k] != null) {
        tf.dispose(cell[k]);
        cell[k] = null as unknown as tf.Tensor;
      }
    }
    return super.call(inputs, { mask: kwargs?.mask ?? null, training: kwargs?.training ?? null, initialState: kwargs?.initialState ?? null });
  }

  override getConfig(): tf.serialization.ConfigDict {
    // tf.RNN's config already carries the cell's (units, activations, initializers, dropout).
    const cfg = { ...super.getConfig() };
    delete cfg.cell;
    return cfg;
  }

  static override fromConfig<T extends tf.serialization.Serializable>(cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict): T {
    return new cls(config);
  }
}

/** The classes the GRU and Bidirectional blocks list in tfjsLayers (the registry registers them). */
export const GRU_RESET_AFTER_CLASSES: readonly TfjsLayerClass[] = [GRUResetAfterCell as unknown as TfjsLayerClass, GRUResetAfter];
