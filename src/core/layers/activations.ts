// Activations tfjs 4.22 lacks, registered under the names the blocks' `activation` params use, so
// tf.layers.dense({ activation: 'hardSwish' }) works and a saved model reloads. tfjs resolves an
// activation name through tf.serialization's class map (activations.js getActivation), so a
// registered class with apply(x) is all it needs.
//   hardSwish: x · relu6(x + 3) / 6 (MobileNetV3; PyTorch's Hardswish).
//   hardSigmoidTorch: relu6(x + 3) / 6 = clip(x / 6 + 0.5, 0, 1), PyTorch's Hardsigmoid — NOT
//     tfjs/Keras' "hardSigmoid", which is clip(0.2·x + 0.5, 0, 1).
//   geluTanh: the tanh approximation 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (PyTorch's
//     gelu(approximate="tanh")); "gelu" is the exact erf form.
import * as tf from '@tensorflow/tfjs';

abstract class CustomActivation extends tf.serialization.Serializable {
  abstract apply(x: tf.Tensor): tf.Tensor;
  getConfig(): tf.serialization.ConfigDict {
    return {};
  }
}

const hardSigmoidTorch = (x: tf.Tensor) => tf.div(tf.relu6(tf.add(x, 3)), 6);

export class HardSwish extends CustomActivation {
  static className = 'hardSwish';
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.mul(x, hardSigmoidTorch(x)));
  }
}

export class HardSigmoidTorch extends CustomActivation {
  static className = 'hardSigmoidTorch';
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => hardSigmoidTorch(x));
  }
}

export class GeluTanh extends CustomActivation {
  static className = 'geluTanh';
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
      return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
    });
  }
}

tf.serialization.registerClass(HardSwish);
tf.serialization.registerClass(HardSigmoidTorch);
tf.serialization.registerClass(GeluTanh);
