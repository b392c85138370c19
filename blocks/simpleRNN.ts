import { defineBlock } from '../src/core/spec';
import { grid } from '../src/core/fixtures';
import { recurrentBlock } from './recurrentBlock';
import { rnnParams } from './recurrentCommon';

export default defineBlock(
  recurrentBlock({
    kind: 'SimpleRNN',
    label: 'Simple RNN',
    docs:
      'The plain (Elman) recurrent layer: at each step the new state is activation(input · W + state · U + b). It is the cheapest recurrent block and fine for short sequences, but it forgets quickly over long ones; prefer LSTM or GRU there.',
    params: rnnParams,
    fixtures: [
      ...grid({ returnSequences: [false, true], returnState: [false, true], goBackwards: [false, true] }, (p) => ({ params: { units: 4, ...p }, inputs: [[null, 5, 3]] })),
      { params: { units: 3, activation: 'relu', useBias: false }, inputs: [[null, 7, 2]] },
      { params: { units: 5, returnSequences: true }, inputs: [[null, null, 6]], note: 'unknown length' },
      { params: { units: 3, returnSequences: true, activation: 'sigmoid' }, inputs: [[null, 5, 6]] },
      { params: { units: 4, returnSequences: true, returnState: true }, inputs: [[null, 6, 3], [null, 4]], note: 'initial state' },
      { params: { units: 4, goBackwards: true, returnSequences: true, activation: 'hardSigmoid' }, inputs: [[null, 6, 3], [null, 4]], note: 'initial state backwards' },
      { params: { units: 2, dropout: 0.3, recurrentDropout: 0.2, activation: 'softplus' }, inputs: [[null, 4, 8]] },
      { params: { units: 3, activation: 'linear' }, inputs: [[null, 1, 1]], note: 'one step' },
    ],
  }),
);
