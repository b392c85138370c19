import * as tf from '@tensorflow/tfjs';
import { BlockError, defineBlock, type SymbolicTensor, type PytorchSnippet, type OnnxContext, type OnnxEmitArgs, type Shape } from '../src/core/spec';
import { py } from '../src/pytorch/emit';
import { byPort, dedupeInputs, shapeList, tensorList, type Kwargs, type LayerArgs } from '../src/core/layers/common';
import { fmtShape, requireRank } from '../src/core/shapes';

/** Sampling: mean and logVar of the same shape; z has that shape. */
export function samplingShape(shapes: (Shape | undefined)[]): Shape {
  const mean = requireRank(shapes[0], [2, 3, 4, 5], 'Sampling', 'mean');
  const logVar = requireRank(shapes[1], [2, 3, 4, 5], 'Sampling', 'logVar');
  const same = mean.length === logVar.length && mean.every((d, i) => i === 0 || d === null || logVar[i] === null || d === logVar[i]);
  if (!same)
    throw new BlockError(
      `Sampling needs mean and logVar of the same shape, got mean ${fmtShape(mean)} and logVar ${fmtShape(logVar)} — feed both from Dense layers with the same units`,
      { port: 'logVar' },
    );
  // An unknown size on either side stays unknown (as in the merge blocks): at inference z is the
  // mean, whose size the run decides, so a known logVar size must not be promised for it.
  return mean.map((d, i) => (d === null || logVar[i] === null ? null : d));
}

// The VAE reparameterisation trick as a tfjs layer. Inputs [mean, logVar] of the same shape.
//   training:  z = mean + exp(logVar / 2) · ε, ε ~ N(0, 1)  (gradients reach mean and logVar)
//   inference: z = mean                                       (deterministic; what ONNX exports)
// While training it also registers the KL divergence to N(0, I),
//   KL = −0.5 · mean over the batch of Σ(1 + logVar − mean² − exp(logVar)) over the other axes,
// times klWeight, as a layer loss (Layer.addLoss). tfjs' LayersModel.fit adds every layer loss
// to the total it minimises (inside the same gradient tape), so model.fit trains the full VAE
// objective. A hand-written training loop must add `samplingLosses(model)` itself.
export interface SamplingArgs extends LayerArgs {
  /** Multiplies the KL term (1 = the plain VAE objective; β-VAE uses β). */
  klWeight?: number;
  seed?: number;
  /** Which distinct input feeds mean and logVar; see dedupeInputs. */
  portInputs?: number[] | null;
}

/** The KL term for one batch (a scalar), with gradients; exported for custom training loops. */
export function klDivergence(mean: tf.Tensor, logVar: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const terms = tf.sub(tf.sub(tf.add(1, logVar), tf.square(mean)), tf.exp(logVar));
    const axes = terms.shape.map((_, i) => i).slice(1);
    return tf.mul(-0.5, tf.mean(tf.sum(terms, axes))) as tf.Scalar;
  });
}

export class Sampling extends tf.layers.Layer {
  static className = 'Sampling';
  readonly klWeight: number;
  readonly seed: number | undefined;
  readonly portInputs: number[] | null;
  /** The KL term of the latest training call (kept until the next call replaces it). */
  private lastKl: tf.Scalar | null = null;

  constructor(args: SamplingArgs = {}) {
    super(args);
    this.klWeight = args.klWeight ?? 1;
    this.seed = args.seed;
    this.portInputs = args.portInputs ?? null;
    if (!(this.klWeight >= 0) || !Number.isFinite(this.klWeight)) throw new Error(`Sampling klWeight must be a finite number ≥ 0, got ${JSON.stringify(args.klWeight)}`);
    // Evaluated by LayersModel.fit right after the forward pass, inside the gradient tape.
    this.addLoss(() => (this.lastKl ? this.lastKl : tf.scalar(0)));
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return samplingShape(byPort(shapeList(inputShape), this.portInputs));
  }

  /** The weighted KL term from the most recent training call, or null after an inference call. */
  get klLoss(): tf.Scalar | null {
    return this.lastKl;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const [mean, logVar] = byPort(tensorList(inputs), this.portInputs) as [tf.Tensor, tf.Tensor];
    if (this.lastKl) {
      this.lastKl.dispose();
      this.lastKl = null;
    }
    if (kwargs.training !== true) return tf.clone(mean);
    return tf.tidy(() => {
      // Kept past this tidy: the loss callback returns it within the same training step.
      this.lastKl = tf.keep(tf.mul(klDivergence(mean, logVar), this.klWeight) as tf.Scalar);
      const eps = tf.randomNormal(mean.shape, 0, 1, 'float32', this.seed);
      return tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps));
    });
  }

  override dispose(): ReturnType<tf.layers.Layer['dispose']> {
    this.lastKl?.dispose();
    this.lastKl = null;
    return super.dispose();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), klWeight: this.klWeight, ...(this.seed !== undefined ? { seed: this.seed } : {}), portInputs: this.portInputs };
  }
}

/** The layer losses a LayersModel holds (e.g. Sampling's KL), summed; for custom training loops. */
export function samplingLosses(model: tf.LayersModel): tf.Scalar {
  return tf.tidy(() => {
    let total: tf.Scalar = tf.scalar(0);
    for (const layer of model.layers) if (layer instanceof Sampling && layer.klLoss) total = tf.add(total, layer.klLoss);
    return total;
  });
}

// The words of a Sampling node's ONNX doc_string. ONNX has no op for the block, so the file holds
// its inference value (an Identity of the mean) and keeps the log-variance branch as nodes no
// output reads; the doc string names that branch and the KL weight, so an importer reading the
// file op by op can rebuild the block (src/import/onnx/patterns/sampling.ts).
const SAMPLING_DOC = 'Neural Blocks Sampling (inference: the mean)';
const SAMPLING_DOC_RE = /^Neural Blocks Sampling \(inference: the mean\); log-variance: (.+); klWeight: (\S*)$/s;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** The doc_string of a Sampling node whose log-variance is ONNX value `logVar`. */
export function samplingDocString(logVar: string, klWeight: number): string {
  return `${SAMPLING_DOC}; log-variance: ${logVar}; klWeight: ${String(klWeight)}`;
}

/**
 * A node's doc_string read back: undefined when it is not a Sampling's, an error (quoting the bad
 * value) when it says Sampling but not in a form this version writes.
 */
export function parseSamplingDocString(doc: string | undefined): { logVar: string; klWeight: number } | { error: string } | undefined {
  if (!doc?.startsWith(SAMPLING_DOC)) return undefined;
  const m = SAMPLING_DOC_RE.exec(doc);
  if (!m) return { error: `its doc_string ${JSON.stringify(doc)} does not read "${SAMPLING_DOC}; log-variance: NAME; klWeight: NUMBER"` };
  const klWeight = DECIMAL.test(m[2]!) ? Number(m[2]) : NaN;
  if (!Number.isFinite(klWeight) || klWeight < 0) return { error: `its klWeight ${JSON.stringify(m[2])} is not a finite number ≥ 0` };
  return { logVar: m[1]!, klWeight };
}

/** Sampling at inference is the mean: an Identity that names the block in its doc_string. */
function samplingOnnx(ctx: OnnxContext, args: OnnxEmitArgs<{ klWeight: number }>): string[] {
  const [mean, logVar] = args.inputs;
  return ctx.node('Identity', [mean!], {}, { name: 'Sampling', docString: samplingDocString(logVar!, args.params.klWeight) });
}

/** model.py's Sampling: the VAE reparameterisation, storing its KL term in .kl while training. */
const SAMPLING_PY: PytorchSnippet = {
  name: 'Sampling',
  source: String.raw`class Sampling(nn.Module):
    """VAE reparameterisation: mean at eval; mean + exp(logVar / 2)·ε in training, where it also
    stores klWeight · KL(N(mean, var) ‖ N(0, 1)) (batch mean) in self.kl for the training loss."""

    def __init__(self, kl_weight):
        super().__init__()
        self.kl_weight = kl_weight
        self.kl = None

    def forward(self, mean, log_var):
        if not self.training:
            self.kl = None
            return mean
        terms = 1 + log_var - mean * mean - torch.exp(log_var)
        self.kl = self.kl_weight * (-0.5 * terms.reshape(terms.shape[0], -1).sum(1).mean())
        return mean + torch.exp(0.5 * log_var) * torch.randn_like(mean)
`,
};

export default defineBlock({
  type: 'Sampling',
  category: 'generative',
  label: 'Sampling (VAE)',
  docs:
    'The reparameterisation step of a variational autoencoder: while training it draws z = mean + exp(logVar / 2) · ε with ε ~ N(0, 1), and at inference it returns the mean. It also adds the KL divergence to a unit Gaussian, −0.5 · Σ(1 + logVar − mean² − exp(logVar)) averaged over the batch and times klWeight, to the training loss. Feed it two Dense layers of the same size from the encoder.',
  params: {
    klWeight: {
      kind: 'float',
      default: 1,
      min: 0,
      doc: 'Weight of the KL term (β). Lower it when the reconstruction loss is a per-pixel mean (e.g. 1/pixels) so the KL does not swamp it.',
    },
  },
  inputs: () => [
    { name: 'mean', doc: 'Mean of the latent Gaussian.' },
    { name: 'logVar', doc: 'Log-variance of the latent Gaussian (same shape as mean).' },
  ],
  outputs: () => ['out'],
  inferShape: (inputs) => [samplingShape(inputs)],
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  macs: () => 0,
  tfjsLayers: [Sampling],
  toTfjs(inputs, p, ctx) {
    const { unique, portInputs } = dedupeInputs(inputs as SymbolicTensor[]);
    return [ctx.register(new Sampling({ name: ctx.name, klWeight: p.klWeight, portInputs })).apply(unique) as SymbolicTensor];
  },
  toOnnx: (ctx, args) => samplingOnnx(ctx, args),
  addsLoss: true,
  pytorchPrelude: [SAMPLING_PY],
  toPytorch: (a) => ({ member: `Sampling(kl_weight=${py(a.params.klWeight)})`, lines: [`${a.outputs[0]} = self.${a.self}(${a.inputs[0]}, ${a.inputs[1]})`] }),
  fixtures: [
    { params: {}, inputs: [[null, 2], [null, 2]] },
    { params: { klWeight: 0.01 }, inputs: [[null, 4, 3], [null, 4, 3]] },
  ],
});
