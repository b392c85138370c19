// The properties one fuzzed graph must have, shared by the unit suite (src/fuzz/*.test.ts) and
// `npm run fuzz` (scripts/fuzz.ts):
// - it parses, or parseGraph refuses it with a GraphFormatError (a clear message, no crash);
// - analyze() never throws and finishes in bounded time (a hang detector, not a benchmark);
// - when analyze reports no error: compile works, a forward pass works, and either
//   onnxUnsupportedNodes names the node with a reason, or the ONNX export runs in onnxruntime
//   with the shapes analyze predicted and values within 1e-4 of tfjs' — relative to the value
//   once it exceeds 1 in magnitude (random deep stacks reach values where float32 rounding alone
//   is above 1e-4 absolute).
// A failure is returned as a message (never thrown), so a long run can list them all. One known
// limit is counted apart, not hidden: see unknownDimsClash.
import * as tf from '@tensorflow/tfjs';
import { analyze, type Analysis } from '../core/infer';
import { compile } from '../core/compile';
import { concreteShape } from '../core/fixtureGraph';
import type { Shape } from '../core/spec';
import { GraphFormatError, parseGraphText, type GraphDoc } from '../core/graph';
import { onnxUnsupportedNodes } from '../onnx/export';
import { compiledParity, type OrtLike } from '../onnx/parity';
import { seedWeights } from '../onnx/seedWeights';

export const TOL = 1e-4;
/** The fuzzer builds graphs up to these sizes (its graphs are small; more is a hostile param). */
export const MAX_PARAMS = 5e6;
export const MAX_ELEMENTS = 5e6;
/** Outputs past this magnitude are numerical blow-ups (see checkGraph). */
export const OVERFLOW = 1e6;
/** Unknown sizes run as this many steps or pixels: long enough for most stacks of windows. */
export const UNKNOWN_FILL = 12;
/** analyze() of a graph of a few blocks taking longer than this is a hang. */
export const ANALYZE_BOUND_MS = 5000;

export type Outcome = 'unparsable' | 'invalid' | 'unsupported' | 'ok' | 'unknown-dims' | 'overflow' | 'too-big';
export interface CaseResult {
  outcome: Outcome;
  /** What broke a property (undefined when every property held). */
  failure?: string;
  /** For 'unknown-dims': the run-time error. */
  note?: string;
}

/** Parameters in all, and the largest tensor per example (unknown sizes as UNKNOWN_FILL). */
function graphSize(a: Analysis): { params: number; elements: number } {
  let params = 0;
  let elements = 0;
  for (const info of a.flat.nodes.values()) {
    params += (info.paramCount?.trainable ?? 0) + (info.paramCount?.nonTrainable ?? 0);
    for (const s of Object.values(info.outputShapes ?? {})) elements = Math.max(elements, s.slice(1).reduce<number>((n, d) => n * (d ?? UNKNOWN_FILL), 1));
  }
  return { params, elements };
}

/** Token ids for the parity inputs stay below every Embedding's inputDim in the graph. */
function tokenBound(a: Analysis): number | undefined {
  let bound = Infinity;
  for (const info of a.flat.nodes.values()) {
    const d = info.params.inputDim;
    if (typeof d === 'number' && d > 0) bound = Math.min(bound, d);
  }
  return Number.isFinite(bound) ? bound : undefined;
}

/**
 * A known limit, counted apart rather than failed: analyze knows an unknown size only as null.
 * So two branches whose unknown lengths differ at run time (x and a "valid" Conv1D of x) look
 * alike to a merge or an attention block, and the forward pass stops on mismatching sizes; and
 * a stack of windows can need more steps than the run gives (tfjs then fails on a negative
 * length). Recognised by the run-time message, in a graph with unknown sizes where it can occur.
 */
export function unknownDimsClash(a: Analysis, e: unknown): boolean {
  const msg = e instanceof Error ? e.message : String(e);
  const nodes = [...a.flat.nodes.values()];
  const unknown = (s: Shape | undefined) => s !== undefined && s.slice(1).includes(null);
  // Sizes that clash: only where a block takes several inputs and one has an unknown size.
  if (/could not be broadcast|does not match the shape|must match|Incompatible shapes|should be the same|mismatch/i.test(msg))
    return nodes.some((info) => info.inputShapes.filter((s) => s !== undefined).length > 1 && info.inputShapes.some(unknown));
  // A window larger than what is left of an unknown size (a typed array of negative length).
  if ((e instanceof RangeError && /Invalid typed array length: -|negative|Invalid array length/.test(msg)) || /leaves nothing of an input|Invalid input shape/.test(msg))
    return nodes.some((info) => info.inputShapes.some(unknown));
  return false;
}

function message(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Runs every property on one graph document (given as an object; it travels as JSON text). */
export async function checkGraph(input: GraphDoc, ort: OrtLike, seed = 1): Promise<CaseResult> {
  let doc: GraphDoc;
  try {
    doc = parseGraphText(JSON.stringify(input), 'fuzz');
  } catch (e) {
    if (e instanceof GraphFormatError) return { outcome: 'unparsable' };
    return { outcome: 'unparsable', failure: `parseGraph threw ${message(e)} instead of a GraphFormatError` };
  }
  const t0 = performance.now();
  let a: ReturnType<typeof analyze>;
  try {
    a = analyze(doc);
  } catch (e) {
    return { outcome: 'invalid', failure: `analyze threw ${message(e)}` };
  }
  const ms = performance.now() - t0;
  if (ms > ANALYZE_BOUND_MS) return { outcome: a.ok ? 'ok' : 'invalid', failure: `analyze took ${Math.round(ms)} ms` };
  if (!a.ok) {
    const bad = a.errors.find((d) => typeof d.message !== 'string' || d.message.length === 0);
    return bad ? { outcome: 'invalid', failure: `a diagnostic without a message: ${JSON.stringify(bad)}` } : { outcome: 'invalid' };
  }
  // Never allocate what a hostile param merely claims (Dense with 2³¹ units passes analyze
  // today; the limits of issue 12 item 2 are to refuse it there). Counted apart, not built.
  const size = graphSize(a);
  if (size.params > MAX_PARAMS || size.elements > MAX_ELEMENTS) return { outcome: 'too-big', note: `${size.params} parameters, ${size.elements} elements per example` };
  const unsupported = onnxUnsupportedNodes(a);
  const noReason = unsupported.find((u) => !u.reason);
  if (noReason) return { outcome: 'unsupported', failure: `onnxUnsupportedNodes gives no reason for "${noReason.node}"` };
  let c: ReturnType<typeof compile>;
  try {
    c = compile(doc);
  } catch (e) {
    return { outcome: 'ok', failure: `analyze said valid, compile threw ${message(e)}` };
  }
  try {
    seedWeights(c, seed, 'parity');
    if (unsupported.length) {
      // No export promised; the forward pass still is.
      const xs = a.inputs.map((id) => {
        const info = a.flat.nodes.get(id)!;
        return tf.zeros(concreteShape(info.outputShapes!.out!, 2, UNKNOWN_FILL), (info.outputDtypes?.out ?? 'float32') as 'float32' | 'int32');
      });
      try {
        const ys = c.model.predict(xs.length === 1 ? xs[0]! : xs);
        tf.dispose(ys);
      } catch (e) {
        return { outcome: 'unsupported', failure: `analyze said valid, predict threw ${message(e)}` };
      } finally {
        tf.dispose(xs);
      }
      return { outcome: 'unsupported' };
    }
    let r: Awaited<ReturnType<typeof compiledParity>>;
    try {
      r = await compiledParity(c, { ort, seed, maxInt: tokenBound(a), fill: UNKNOWN_FILL, exportOptions: { graph: doc } });
    } catch (e) {
      if (unknownDimsClash(a, e)) return { outcome: 'unknown-dims', failure: undefined, note: message(e) };
      return { outcome: 'ok', failure: `analyze said valid and no node unsupported, then predict/export/onnxruntime threw ${message(e)}` };
    }
    // Random weights can make a recurrence with unbounded gates (relu, softplus, linear) blow
    // up; past ~1e6 float32 rounding, and where the runtimes overflow to ∞ (onnxruntime's RNN
    // softplus is log(1 + eˣ), tfjs' is stable), differ by design: counted apart, not compared.
    const blowUp = r.outputs.find((o) => o.tfjsMaxAbs > OVERFLOW);
    if (blowUp) return { outcome: 'overflow', note: `output ${blowUp.name} reaches ${blowUp.tfjsMaxAbs} in tfjs` };
    for (let k = 0; k < r.outputs.length; k++) {
      const o = r.outputs[k]!;
      const { node, port } = a.outputs[k]!;
      const want = concreteShape(a.flat.nodes.get(node)!.outputShapes![port]!, 2, -1);
      const got = o.shape.map((d, j) => (want[j] === -1 ? -1 : d));
      if (o.tfjsShape) {
        // A window larger than what is left of an unknown size: tfjs gives 0, onnxruntime 1.
        if (o.tfjsShape.includes(0) && [...a.flat.nodes.values()].some((info) => info.inputShapes.some((s) => s?.slice(1).includes(null))))
          return { outcome: 'unknown-dims', note: `output ${o.name}: tfjs ${JSON.stringify(o.tfjsShape)}, onnxruntime ${JSON.stringify(o.shape)}` };
        return { outcome: 'ok', failure: `output ${o.name}: onnxruntime shape ${JSON.stringify(o.shape)}, tfjs ${JSON.stringify(o.tfjsShape)}` };
      }
      if (JSON.stringify(got) !== JSON.stringify(want)) return { outcome: 'ok', failure: `output ${o.name}: shape ${JSON.stringify(o.shape)}, analyze predicted ${JSON.stringify(want)}` };
      if (!(o.maxScaledDiff <= TOL)) return { outcome: 'ok', failure: `output ${o.name}: max |tfjs − onnxruntime| / max(1, |tfjs|) = ${o.maxScaledDiff} (absolute ${o.maxAbsDiff})` };
    }
    return { outcome: 'ok' };
  } finally {
    c.model.dispose();
  }
}
