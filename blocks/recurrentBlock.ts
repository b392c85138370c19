// The SimpleRNN / GRU / LSTM block factory: one BlockSpec from the shared shape rules and tfjs
// layer (recurrentCommon.ts), ONNX emission (recurrentOnnx.ts) and PyTorch (recurrentTorch.ts).
import type { BlockSpec, Fixture, ParamSchema, ResolvedParams } from '../src/core/spec';
import { applyRnn, makeTfjsRnn, requireAllOrNone, requireSequence, requireState, rnnMacs, rnnOutputShapes, rnnWeightCount, stateNames, tfjsRnnConfig, type RnnKind, type RnnP } from './recurrentCommon';
import { emitOnnxRnn, onnxReverseTime, onnxSequence, onnxState, rnnOnnxUnsupported } from './recurrentOnnx';
import { GRU_RESET_AFTER_CLASSES } from '../src/core/layers/gruResetAfter';
import { GRU_PY, RECURRENT_PY, recurrentToPytorch } from './recurrentTorch';

export interface RecurrentBlockOptions<S extends ParamSchema> {
  kind: RnnKind;
  label: string;
  docs: string;
  params: S;
  fixtures: Fixture[];
}

export function recurrentBlock<S extends ParamSchema>(o: RecurrentBlockOptions<S>): BlockSpec<S> {
  const { kind } = o;
  const states = stateNames(kind);
  const statePorts = states.map((s) => `${s}0`);
  const rp = (p: ResolvedParams<S>) => p as unknown as RnnP;
  return {
    type: kind,
    category: 'recurrent',
    label: o.label,
    docs: o.docs,
    params: o.params,
    inputs: () => [
      { name: 'in', doc: 'The sequence [time, features].' },
      ...statePorts.map((name) => ({ name, optional: true, doc: `Optional initial ${name[0]} state [units] (zeros when unfed).` })),
    ],
    outputs: (p) => (rp(p).returnState ? ['out', ...states] : ['out']),
    inferShape([x, ...init], pp) {
      const p = rp(pp);
      const { steps } = requireSequence(x, kind);
      statePorts.forEach((port, i) => requireState(init[i], p.units, kind, port));
      requireAllOrNone(init.slice(0, statePorts.length), statePorts, kind);
      return rnnOutputShapes(kind, steps, p);
    },
    paramCount([x], p) {
      return { trainable: rnnWeightCount(kind, requireSequence(x, kind).features, rp(p)), nonTrainable: 0 };
    },
    macs([x], p) {
      const { steps, features } = requireSequence(x, kind);
      return rnnMacs(kind, steps, features, rp(p).units);
    },
    toTfjs([x, ...init], p, ctx) {
      const layer = ctx.register(makeTfjsRnn(ctx.tf, kind, { ...tfjsRnnConfig(kind, rp(p), ctx), name: ctx.name }));
      return applyRnn(layer, x!, init);
    },
    toOnnx(ctx, { params, inputs, inputShapes, weights }) {
      const p = rp(params);
      const [x, ...init] = inputs;
      // Value names are already scoped by the node id.
      const hint = kind.toLowerCase();
      const fed = init.some((s) => s !== undefined);
      const r = emitOnnxRnn(ctx, {
        kind,
        p,
        x: x!,
        steps: inputShapes[0]?.[1] ?? null,
        dirWeights: [weights],
        direction: p.goBackwards ? 'reverse' : 'forward',
        initial: fed ? { h: [init[0]!], c: kind === 'LSTM' ? [init[1]!] : undefined } : undefined,
        hint,
      });
      let out: string;
      if (p.returnSequences) {
        out = onnxSequence(ctx, r.Y, 0, hint);
        // tfjs returns a backwards layer's steps in the order it computed them.
        if (p.goBackwards) out = onnxReverseTime(ctx, out, hint);
      } else out = onnxState(ctx, r.Yh, 0, hint);
      if (!p.returnState) return [out];
      const hs = [onnxState(ctx, r.Yh, 0, hint)];
      if (kind === 'LSTM') hs.push(onnxState(ctx, r.Yc!, 0, hint));
      return [out, ...hs];
    },
    onnxUnsupported: (p, inputShapes) => rnnOnnxUnsupported(kind, rp(p), inputShapes?.[0]),
    // A sigmoid candidate keeps the outputs in (0, 1): the trainer accepts it for binary labels.
    outputActivation: (p) => rp(p).activation,
    pytorchPrelude: [RECURRENT_PY, GRU_PY],
    tfjsLayers: kind === 'GRU' ? GRU_RESET_AFTER_CLASSES : undefined,
    toPytorch: (a) => recurrentToPytorch(a, kind, rp(a.params)),
    fixtures: o.fixtures,
  };
}
