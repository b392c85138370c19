// The Sampling node that patterns/sampling.ts recognised from a doc_string → the Sampling block
// (inputs mean and logVar, the KL weight the doc string gave). The doc string only names the
// log-variance tensor: both inputs must convert to tensors of the same shape, from the weights
// the file holds, or the node is refused (convert.ts then imports the file as it would without
// the doc string: the Identity of the mean, the branch dropped with its note).
import type { Converter, OpTable } from '../converter';
import { SAMPLING_OP, samplingKlWeight } from '../patterns/sampling';
import { Unsupported, type PNode } from '../proto';
import { fmt, type Layout, type TensorVal } from '../values';

/** Layouts that are one tensor of ours, so an element-wise block reads both alike. */
const ELEMENTWISE: ReadonlySet<Layout> = new Set<Layout>(['plain', 'nchw', 'ncl', 'tmajor', 'pooled']);

function convertSampling(cv: Converter, n: PNode): TensorVal {
  const klWeight = samplingKlWeight(n);
  if (klWeight === undefined) throw new Unsupported(`no block for ONNX op ${n.op_type}`);
  const [meanName, logVarName] = n.input as [string, string];
  const mean = cv.tensor(meanName, 'mean');
  const logVar = cv.tensor(logVarName, 'log-variance');
  const same = mean.layout === logVar.layout && mean.shape.length === logVar.shape.length && mean.shape.every((d, i) => d === logVar.shape[i]);
  if (!same || !ELEMENTWISE.has(mean.layout))
    throw new Unsupported(`its mean "${meanName}" ${fmt(mean.shape)} and log-variance "${logVarName}" ${fmt(logVar.shape)} are not tensors of the same shape`);
  const rank = mean.layout === 'pooled' ? 2 : mean.shape.length;
  if (rank < 2 || rank > 5) throw new Unsupported(`the Sampling block takes tensors of rank 2 to 5, its mean "${meanName}" is ${fmt(mean.shape)}`);
  const id = cv.add('Sampling', { klWeight }, [mean.ref, logVar.ref], cv.current, ['mean', 'logVar']);
  // While training z = mean + exp(logVar / 2)·ε: any sign, whatever the mean was.
  return { ...mean, ref: { node: id, port: 'out' }, nonNeg: false, seqOf: undefined };
}

export const SAMPLING_OPS: OpTable = { [SAMPLING_OP]: convertSampling };
