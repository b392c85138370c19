import { defineBlock, type ParamSchema } from '../src/core/spec';
import { grid } from '../src/core/fixtures';
import { recurrentBlock } from './recurrentBlock';
import { applyRnn, gatedParams, tfjsRnnConfig, type RnnP } from './recurrentCommon';

const params = {
  ...gatedParams,
  unitForgetBias: {
    kind: 'bool',
    default: false,
    doc: 'Start the forget gates\' bias at 1 instead of 0 (Keras\' unit_forget_bias, Jozefowicz et al. 2015), so at first each step keeps about 73% of the cell state rather than 50% and a trace survives long gaps. Only the initial weights change: export and inference are the same.',
  },
} satisfies ParamSchema;

const base = recurrentBlock({
  kind: 'LSTM',
  label: 'LSTM',
  docs:
    'A long short-term memory layer: reads a sequence [time, features] step by step, keeping a hidden state and a separate cell state that input, forget and output gates update. It remembers over longer spans than SimpleRNN. Outputs the last step, or every step with returnSequences; returnState also outputs h and c, and h0/c0 take an initial state (e.g. for an encoder–decoder).',
  params,
  fixtures: [
    ...grid({ returnSequences: [false, true], returnState: [false, true], goBackwards: [false, true] }, (p) => ({ params: { units: 4, ...p }, inputs: [[null, 5, 3]] })),
    { params: { units: 3, recurrentActivation: 'hardSigmoid', activation: 'relu', useBias: false }, inputs: [[null, 7, 2]], note: 'hardSigmoid gates' },
    { params: { units: 5, returnSequences: true }, inputs: [[null, null, 6]], note: 'unknown length' },
    { params: { units: 4, returnSequences: true, returnState: true }, inputs: [[null, 6, 3], [null, 4], [null, 4]], note: 'initial state' },
    { params: { units: 4, goBackwards: true, returnSequences: true }, inputs: [[null, 6, 3], [null, 4], [null, 4]], note: 'initial state backwards' },
    { params: { units: 2, dropout: 0.3, recurrentDropout: 0.2, activation: 'softsign', recurrentActivation: 'sigmoid' }, inputs: [[null, 4, 8]] },
    { params: { units: 3, activation: 'linear', recurrentActivation: 'softplus' }, inputs: [[null, 1, 1]], note: 'one step' },
    { params: { units: 4, unitForgetBias: true }, inputs: [[null, 6, 3]], note: 'forget-gate bias 1' },
    { params: { units: 3, unitForgetBias: true, useBias: false }, inputs: [[null, 5, 2]], note: 'forget-gate bias without bias' },
  ],
});

export default defineBlock({
  ...base,
  // The shared builder plus tfjs' own unitForgetBias (its bias initializer then puts ones in the
  // forget-gate slice [u, 2u) of the i, f, c, o bias).
  toTfjs([x, ...init], p, ctx) {
    const cfg = { ...tfjsRnnConfig('LSTM', p as unknown as RnnP, ctx), unitForgetBias: p.unitForgetBias, name: ctx.name };
    return applyRnn(ctx.register(ctx.tf.layers.lstm(cfg as never)), x!, init);
  },
  // The weights exported are the trained ones either way; the flag only matters when train.py
  // starts from scratch, where the prelude's Recurrent sets the forget slice of its bias to 1.
  toPytorch(a) {
    const e = base.toPytorch!(a);
    if (!a.params.unitForgetBias || !a.params.useBias || !e.member?.startsWith('Recurrent(')) return e;
    return { ...e, member: `${e.member.slice(0, -1)}, unit_forget_bias=True)` };
  },
});
