// The fused additive (Bahdanau) attention of patterns/additive.ts → the AdditiveAttention block:
// query q, value v, key k (the value when k is v); the per-feature scale becomes its "scale"
// weight, no scale is useScale off, and our exporter's causal mask is useCausalMask.
import type { Converter } from '../converter';
import { plain } from '../layout';
import { ADDITIVE_OP, additiveSpec } from '../patterns/additive';
import { Unsupported, type PNode } from '../proto';
import { fmt, type TensorVal } from '../values';

function convertAdditive(cv: Converter, n: PNode): TensorVal {
  const spec = additiveSpec(n);
  if (!spec) throw new Unsupported(`${ADDITIVE_OP} is made by the importer's additive attention pattern only`);
  const what = ['query', 'value', 'key'];
  const ts = (n.input ?? []).map((x, i) => {
    let t = cv.tensor(x, what[i]);
    if (t.layout === 'ncl') t = plain(cv, x, t);
    if (t.layout !== 'plain' || t.shape.length !== 3)
      throw new Unsupported(`additive attention over ${what[i]} "${x}" ${fmt(t.shape)} (${t.layout}): only batch-first sequences [N, T, D] are mapped (AdditiveAttention)`);
    return t;
  });
  const [q, v] = ts as [TensorVal, TensorVal];
  const k = ts[2] ?? v;
  const d = q.shape[2];
  if (d == null || k.shape[2] !== d) throw new Unsupported(`additive attention of query ${fmt(q.shape)} and key ${fmt(k.shape)}: the AdditiveAttention block needs one known feature size for both`);
  let scale: Float32Array | undefined;
  if (spec.scale) {
    const c = cv.constant(spec.scale, 'additive attention scale');
    scale = cv.floats(c, 'additive attention scale');
    if (scale.length !== d) throw new Unsupported(`additive attention scale "${spec.scale}" ${fmt(c.dims)} for ${d} features: the block learns one scale per feature`);
  }
  const id = cv.add('AdditiveAttention', { ...(scale ? {} : { useScale: false }), ...(spec.causal ? { useCausalMask: true } : {}) }, ts.map((t) => t.ref), cv.current, what);
  if (scale) cv.weight(id, 'scale', [d], scale);
  if (spec.bias) cv.notes.push(`${cv.current}: the score bias "${spec.bias}" (one value added to every score) is left out: the softmax over the keys does not change with it, and AdditiveAttention has none`);
  return { kind: 'tensor', ref: { node: id, port: 'out' }, layout: 'plain', shape: [q.shape[0]!, q.shape[1]!, v.shape[2]!] };
}

export const ADDITIVE_OPS = { [ADDITIVE_OP]: convertAdditive };
