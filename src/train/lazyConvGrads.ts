// tfjs-layers computes a Conv2D layer through tf.fused.conv2d whenever its activation is not one
// the fused kernel applies itself (tanh, sigmoid, linear…). The fused op's gradient is a
// customGrad that computes the input's gradient eagerly, even where nothing needs it: for the
// first layer, whose input is the data, that is a whole convolution wasted every step — on
// LeNet-5 (tanh) 2.2 ms of a 16 ms WASM step. The plain conv2d op's registered gradient is lazy,
// so the engine skips what no weight depends on. While gradients are being recorded, this makes a
// channels-last Conv2D layer whose input is data compute conv2d + bias + activation with plain
// ops: the same numbers (up to float rounding of the bias add), the same weights; other layers and
// inference keep the fused kernel.
// Backend-agnostic (WebGL and WebGPU skip the same work); installed once, idempotent.
import * as tf from '@tensorflow/tfjs';

export interface ConvLayer {
  rank: number;
  dataFormat: string;
  strides: number[];
  padding: 'same' | 'valid' | 'causal';
  dilationRate: number[];
  kernel: { read(): tf.Tensor };
  bias: { read(): tf.Tensor } | null;
  activation: { apply(x: tf.Tensor): tf.Tensor; getClassName(): string } | null;
}

/**
 * A backend's own training path for a Conv2D layer while gradients are recorded (wasmConvTrain.ts
 * installs WASM's); it returns undefined where it does not apply. `xIsData`: nothing recorded made
 * x, so its gradient is not needed.
 */
export const trainingConv: { route?: (layer: ConvLayer, x: tf.Tensor4D, xIsData: boolean) => tf.Tensor | undefined } = {};
type Call = (this: ConvLayer, inputs: tf.Tensor | tf.Tensor[], kwargs: unknown) => tf.Tensor | tf.Tensor[];

let installed = false;
/** Off: every Conv2D goes through tfjs' own path again (the tests compare both). */
export const lazyConv = { enabled: true };

interface TapeState {
  gradientDepth: number;
  activeTape: { outputs: { id: number }[] }[] | null;
}

/**
 * Whether x is data to the gradient being recorded (inside tf.grads, variableGrads, minimize): no
 * recorded op made it, so nothing it feeds needs its gradient. Only then is the plain path worth
 * it — deeper layers keep the fused kernel, whose bias add is free (a separate add of LeNet-5's
 * first activation costs 0.25 ms on WASM).
 */
function isData(x: tf.Tensor): boolean {
  if (!recording()) return false;
  const s = tf.engine().state as unknown as TapeState;
  return !s.activeTape!.some((node) => node.outputs.some((o) => o.id === x.id));
}

/** Whether a gradient is being recorded. */
function recording(): boolean {
  const s = tf.engine().state as unknown as TapeState;
  return s.gradientDepth > 0 && !!s.activeTape;
}

export function installLazyConvInputGradient(): void {
  if (installed) return;
  installed = true;
  const proto = Object.getPrototypeOf(tf.layers.conv2d({ filters: 1, kernelSize: 1 })) as { call: Call };
  const fused = proto.call;
  proto.call = function (this: ConvLayer, inputs, kwargs) {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    if (trainingConv.route && recording()) {
      const y = trainingConv.route(this, x, isData(x));
      if (y) return y;
    }
    if (!lazyConv.enabled || this.rank !== 2 || this.dataFormat !== 'channelsLast' || this.padding === 'causal' || !isData(x)) return fused.call(this, inputs, kwargs);
    return tf.tidy(() => {
      let y: tf.Tensor = tf.conv2d(x, this.kernel.read() as tf.Tensor4D, this.strides as [number, number], this.padding as 'same' | 'valid', 'NHWC', this.dilationRate as [number, number]);
      if (this.bias) y = tf.add(y, this.bias.read());
      return this.activation ? this.activation.apply(y) : y;
    });
  };
}
