import { defineBlock } from '../src/core/spec';
import { grid } from '../src/core/fixtures';
import { recurrentBlock } from './recurrentBlock';
import { gruParams } from './recurrentCommon';

export default defineBlock(
  recurrentBlock({
    kind: 'GRU',
    label: 'GRU',
    docs:
      'A gated recurrent unit: reads a sequence [time, features] step by step with an update gate and a reset gate, and no separate cell state. It is lighter than LSTM (three gates instead of four) and often as good. By default, as in tfjs, the reset gate acts on the previous state before its matmul; resetAfter applies it after the matmul with a second bias, as PyTorch\'s nn.GRU does (models imported from PyTorch use it).',
    params: gruParams,
    fixtures: [
      ...grid({ returnSequences: [false, true], returnState: [false, true], goBackwards: [false, true] }, (p) => ({ params: { units: 4, ...p }, inputs: [[null, 5, 3]] })),
      { params: { units: 3, recurrentActivation: 'hardSigmoid', activation: 'elu', useBias: false }, inputs: [[null, 7, 2]], note: 'hardSigmoid gates' },
      { params: { units: 5, returnSequences: true }, inputs: [[null, null, 6]], note: 'unknown length' },
      { params: { units: 4, returnSequences: true, returnState: true }, inputs: [[null, 6, 3], [null, 4]], note: 'initial state' },
      { params: { units: 4, goBackwards: true }, inputs: [[null, 6, 3], [null, 4]], note: 'initial state backwards' },
      { params: { units: 2, dropout: 0.3, recurrentDropout: 0.2, activation: 'softsign' }, inputs: [[null, 4, 8]] },
      { params: { units: 3, activation: 'linear', recurrentActivation: 'relu' }, inputs: [[null, 1, 1]], note: 'one step' },
      // resetAfter (PyTorch nn.GRU semantics): directions, states, non-default gates, no bias.
      ...grid({ returnSequences: [false, true], goBackwards: [false, true] }, (p) => ({ params: { units: 4, resetAfter: true, ...p }, inputs: [[null, 5, 3]], note: 'resetAfter' })),
      { params: { units: 4, resetAfter: true, returnSequences: true, returnState: true }, inputs: [[null, 6, 3], [null, 4]], note: 'resetAfter initial state' },
      { params: { units: 3, resetAfter: true, recurrentActivation: 'hardSigmoid', activation: 'elu' }, inputs: [[null, 7, 2]], note: 'resetAfter hardSigmoid gates' },
      { params: { units: 3, resetAfter: true, activation: 'softsign', goBackwards: true, returnState: true }, inputs: [[null, 4, 2], [null, 3]], note: 'resetAfter unrolled with initial state' },
      { params: { units: 3, resetAfter: true, useBias: false, returnSequences: true }, inputs: [[null, null, 5]], note: 'resetAfter no bias, unknown length' },
      { params: { units: 2, resetAfter: true, dropout: 0.3, recurrentDropout: 0.2 }, inputs: [[null, 4, 8]], note: 'resetAfter dropout' },
    ],
  }),
);
