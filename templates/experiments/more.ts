// Experiments 4, 2, 7, 5 and 6 of the gallery (1 and 3 are in experiments.ts). Each card's
// `shows` quotes templates/experiments/results.json, as measured by scripts/measure-experiments.ts.
import type { Experiment } from './experiments';
import { deepCnn, deepMlp, sequenceClassifier } from './graphs';

const MNIST = { dataset: 'mnist', seed: 1 };
/** The recall task: a key, 50 one-hot distractor digits, name the key (src/data/recall.ts). */
const RECALL = { length: 51, features: 14, classes: 4 };

/** Defined here but not yet measured (see PENDING in experiments.ts). */
export const PENDING_IDS: string[] = ['residual', 'clipping'];

export const MORE: Experiment[] = [
  {
    id: 'dropout',
    title: '4 · Dropout: on vs off (the train/validation gap)',
    claim: 'A large network trained on few examples memorises them: training accuracy runs ahead of validation accuracy. Dropout (here 0.5 after each hidden layer) narrows that gap.',
    measures: 'accuracy on the training examples and on the validation split (30% of a 1000-image MNIST subset, less 15% held out for test) after 15 epochs (both in inference mode), their gap, the validation loss per epoch, and test accuracy',
    shows:
      'Without dropout the network learns its training examples perfectly (100.0%) against 85.9% on validation, a gap of 14.1 points; its validation loss bottoms out at 0.477 after 6 epochs and climbs back to 0.546 as it memorises. With dropout the gap narrows only a little (99.5% against 86.7%, 12.8 points), but its validation loss is still at its lowest at the end (0.490). On the test images 15 epochs do not show dropout paying off yet: 89.4% without, 87.4% with.',
    variants: [false, true].map((on) => ({
      name: on ? 'dropout 0.5' : 'no dropout',
      graph: deepMlp(on ? 'MLP 2 × 256 + Dropout 0.5' : 'MLP 2 × 256', 2, 'relu', {
        units: 256,
        dropout: on ? 0.5 : undefined,
        training: { ...MNIST, limit: 1000, validationSplit: 0.3, optimizer: 'adam', learningRate: 0.001, batchSize: 32, epochs: 15, kernelInitializer: 'heNormal' },
      }),
    })),
    columns: ['trainAccuracy', 'valAccuracy', 'gap', 'testAccuracy'],
  },
  {
    id: 'residual',
    title: '2 · Residual connections: a plain deep CNN vs the same with skips',
    claim: 'Stacking more plain layers makes a network harder to train (its first layers get little gradient); adding each block\'s input to its output (a residual connection) gives the gradient a short path back, so the same depth trains.',
    measures: "the stem conv's gradient norm relative to the output block's (at the first batch), and test accuracy after 2 epochs",
    shows: '',
    variants: [false, true].map((res) => ({
      name: res ? 'residual' : 'plain',
      graph: deepCnn(res ? 'CNN, 12 convs, residual' : 'CNN, 12 convs, plain', 6, res, {
        training: { ...MNIST, limit: 2000, validationSplit: 0.1, optimizer: 'sgd', momentum: 0.9, learningRate: 0.01, batchSize: 64, epochs: 2 },
      }),
    })),
    columns: ['gradRatioFirst', 'testAccuracy'],
  },
  {
    id: 'init',
    title: '7 · Initialisation: Glorot vs too small vs too large',
    claim: "Weights scaled to each layer's fan-in (Glorot/Xavier) keep activations and gradients at a steady size through a deep tanh network; weights far too small make both shrink towards zero layer by layer, weights far too large saturate every tanh so the gradient dies there too.",
    measures: "the first Dense block's gradient norm relative to the output block's (at the first batch and at the end), the largest gradient norm seen, and test accuracy after 3 epochs",
    shows:
      "With Glorot initialisation the first block starts with 2.92× the output block's gradient and the network reaches 87.6% after 3 epochs. Too small, N(0, 0.01²): the signal shrinks at every layer on the way in and the gradient on the way back, the first block gets 2.1e-8 of the output block's gradient, and the network stays at chance (10.4%). Too large, N(0, 1): each layer multiplies its input by about 8 (σ·√64), driving the tanh units towards saturation; the first batch's gradient is 693× larger at the first block than at the output, the largest gradient norm seen is 737 (Glorot's: 2.59), the training loss starts at 8.1, and after 3 epochs the first block gets 7.3e-9 of the output's gradient and the network is at 12.4%.",
    variants: [
      ['Glorot', 'glorotUniform'],
      ['N(0, 0.01²)', 'normal0.01'],
      ['N(0, 1)', 'normal1'],
    ].map(([name, init]) => ({
      name: name!,
      graph: deepMlp(`8 × Dense tanh, ${name} init`, 8, 'tanh', {
        training: { ...MNIST, limit: 3000, validationSplit: 0.1, optimizer: 'sgd', momentum: 0.9, learningRate: 0.01, batchSize: 64, epochs: 3, kernelInitializer: init },
      }),
    })),
    columns: ['gradRatioFirst', 'maxGradNorm', 'testAccuracy'],
  },
  {
    id: 'clipping',
    title: '5 · Exploding gradients in an RNN, with and without clipping',
    claim: 'Backpropagated through many steps, a recurrent network\'s gradient is a product of many Jacobians and can blow up; one huge step then ruins the weights. Clipping the gradient\'s global norm bounds every step and keeps training on course.',
    measures: 'the largest gradient norm seen (before clipping), how training ended, and test accuracy',
    shows: '',
    // The same SimpleRNN, data and Adam at 0.01 as experiment 6's: measured there, its gradient
    // norm spikes in the third epoch and undoes what it had learned.
    variants: [null, 1].map((clip) => ({
      name: clip ? `clipNorm ${clip}` : 'no clipping',
      graph: sequenceClassifier(clip ? `SimpleRNN, clipNorm ${clip}` : 'SimpleRNN, no clipping', 'SimpleRNN', {
        ...RECALL,
        units: 32,
        training: { dataset: 'recall', limit: 2000, validationSplit: 0.1, seed: 1, optimizer: 'adam', learningRate: 0.01, batchSize: 64, epochs: 3, clipNorm: clip },
      }),
    })),
    columns: ['maxGradNorm', 'status', 'testAccuracy'],
  },
  {
    id: 'lstm',
    title: '6 · Long dependencies: SimpleRNN vs LSTM',
    claim: "To name the first token after 50 distractors, the network must carry it across 50 steps. A plain RNN's gradient to the first step vanishes on the way back; the LSTM's gated cell state carries it.",
    measures: 'validation loss per epoch, accuracy on the validation split and test accuracy after 3 epochs (chance is 25%, a loss of ln 4 = 1.386)',
    shows:
      "Measured here, the plain RNN wins — the opposite of the lecture's claim. The SimpleRNN's validation loss falls to 0.034 after 2 epochs (it names the key almost every time), then a gradient spike (norm 139) in the third epoch undoes much of it: 49.4% on validation, 51.0% on test (experiment 5 is about that spike). The LSTM never leaves chance: validation loss 1.394, 1.392, 1.393, 25.0% on validation, 24.5% on test. Most likely why: this app's SimpleRNN starts with orthogonal recurrent weights, which carry a signal across many steps almost unchanged, while tfjs' LSTM starts with its forget gates at about 0.5 (no forget-gate bias of 1, unlike Keras), so the key's trace halves at each of the 50 steps and its gradient all but vanishes; the LSTM's largest gradient norm was 0.244.",
    variants: (['SimpleRNN', 'LSTM'] as const).map((cell) => ({
      name: cell,
      graph: sequenceClassifier(`${cell}, recall after 50 steps`, cell, {
        ...RECALL,
        units: 32,
        training: { dataset: 'recall', limit: 2000, validationSplit: 0.1, seed: 1, optimizer: 'adam', learningRate: 0.01, batchSize: 64, epochs: 3 },
      }),
    })),
    columns: ['valAccuracy', 'testAccuracy'],
  },
];
