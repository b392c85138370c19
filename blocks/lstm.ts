import { defineBlock } from '../src/core/spec';
import { grid } from '../src/core/fixtures';
import { recurrentBlock } from './recurrentBlock';
import { gatedParams } from './recurrentCommon';

export default defineBlock(
  recurrentBlock({
    kind: 'LSTM',
    label: 'LSTM',
    docs:
      'A long short-term memory layer: reads a sequence [time, features] step by step, keeping a hidden state and a separate cell state that input, forget and output gates update. It remembers over longer spans than SimpleRNN. Outputs the last step, or every step with returnSequences; returnState also outputs h and c, and h0/c0 take an initial state (e.g. for an encoder–decoder).',
    params: gatedParams,
    fixtures: [
      ...grid({ returnSequences: [false, true], returnState: [false, true], goBackwards: [false, true] }, (p) => ({ params: { units: 4, ...p }, inputs: [[null, 5, 3]] })),
      { params: { units: 3, recurrentActivation: 'hardSigmoid', activation: 'relu', useBias: false }, inputs: [[null, 7, 2]], note: 'hardSigmoid gates' },
      { params: { units: 5, returnSequences: true }, inputs: [[null, null, 6]], note: 'unknown length' },
      { params: { units: 4, returnSequences: true, returnState: true }, inputs: [[null, 6, 3], [null, 4], [null, 4]], note: 'initial state' },
      { params: { units: 4, goBackwards: true, returnSequences: true }, inputs: [[null, 6, 3], [null, 4], [null, 4]], note: 'initial state backwards' },
      { params: { units: 2, dropout: 0.3, recurrentDropout: 0.2, activation: 'softsign', recurrentActivation: 'sigmoid' }, inputs: [[null, 4, 8]] },
      { params: { units: 3, activation: 'linear', recurrentActivation: 'softplus' }, inputs: [[null, 1, 1]], note: 'one step' },
    ],
  }),
);
