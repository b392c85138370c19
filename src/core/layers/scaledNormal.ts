// Deliberately badly scaled initializers, for the Experiments gallery's initialisation
// experiment: weights drawn from N(0, σ²) with one σ for every layer whatever its fan-in, where
// Glorot and He scale σ by 1/√fan. "normal0.01" is too small for a 64-wide layer (Glorot's σ is
// about 0.18 there), "normal1" far too large. Registered with tf.serialization under the names
// the training config uses, so `kernelInitializer: "normal0.01"` reaches every tfjs layer.
import * as tf from '@tensorflow/tfjs';

// tfjs-layers does not export its Initializer base class (see orthogonal.ts).
const InitializerBase = Object.getPrototypeOf(tf.initializers.zeros().constructor) as new () => tf.serialization.Serializable & {
  apply(shape: number[], dtype?: string): tf.Tensor;
};

function scaledNormal(className: string, stddev: number) {
  const C = class extends InitializerBase {
    static className = className;
    override apply(shape: number[]): tf.Tensor {
      // tf.randomNormal draws its seed from Math.random, which compile() seeds (src/core/seeded.ts).
      return tf.randomNormal(shape, 0, stddev, 'float32');
    }
    override getConfig(): tf.serialization.ConfigDict {
      return {};
    }
  };
  tf.serialization.registerClass(C as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
  return C;
}

export const SCALED_NORMALS = { 'normal0.01': scaledNormal('normal0.01', 0.01), normal1: scaledNormal('normal1', 1) } as const;
