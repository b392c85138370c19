// The optimizers a training config names, and the learning-rate change between epochs.
import * as tf from '@tensorflow/tfjs';
import type { TrainingConfig } from './config';
import { FusedAdam } from './fusedAdam';

/** Changes an optimizer's learning rate between steps (SGD keeps it as a tensor: setLearningRate). */
export function setLearningRate(o: tf.Optimizer, lr: number): void {
  const any = o as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (any.learningRate === lr) return;
  if (any.setLearningRate) any.setLearningRate(lr);
  else any.learningRate = lr;
}

export function makeOptimizer(cfg: TrainingConfig): tf.Optimizer {
  switch (cfg.optimizer) {
    case 'sgd':
      return cfg.momentum > 0 ? tf.train.momentum(cfg.learningRate, cfg.momentum) : tf.train.sgd(cfg.learningRate);
    case 'adam':
      // tf.train.adam's optimizer and numbers, its step one kernel per weight on WASM and CPU.
      return new FusedAdam(cfg.learningRate);
    case 'adagrad':
      return tf.train.adagrad(cfg.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(cfg.learningRate);
  }
}
