// Turns a block fixture into a small graph (one Input per fed port, then the block), so the
// contract tests exercise the same path users do: analyze → compile → export.
import type { GraphDoc } from './graph';
import { isVariadic, type AnyBlockSpec, type Fixture, type Shape } from './spec';
import { resolveParams } from './params';

export function fixtureGraph(spec: AnyBlockSpec, fx: Fixture): GraphDoc {
  if (spec.type === 'Input') {
    return { format: 'neural-blocks.graph', version: 1, name: 'fixture', nodes: [{ id: 'b', type: 'Input', params: fx.params as Record<string, unknown> }], edges: [] };
  }
  const { params } = resolveParams(spec, fx.params as Record<string, unknown>);
  const ports = spec.inputs(params);
  const names = isVariadic(ports) ? fx.inputs.map((_, i) => `in${i}`) : ports.map((p) => p.name);
  const nodes: GraphDoc['nodes'] = [];
  const edges: GraphDoc['edges'] = [];
  fx.inputs.forEach((shape, i) => {
    const id = `x${i}`;
    nodes.push({ id, type: 'Input', params: { shape: shape.slice(1), dtype: fx.dtypes?.[i] ?? 'float32' } });
    edges.push({ source: id, target: 'b', targetHandle: names[i] });
  });
  nodes.push({ id: 'b', type: spec.type, params: fx.params as Record<string, unknown> });
  return { format: 'neural-blocks.graph', version: 1, name: 'fixture', nodes, edges };
}

/** A concrete shape for running: unknown (null) dims become `fill`, the batch becomes `batch`. */
export function concreteShape(s: Shape, batch = 2, fill = 5): number[] {
  return s.map((d, i) => (i === 0 ? batch : d ?? fill));
}

export function fixtureName(spec: AnyBlockSpec, fx: Fixture): string {
  return `${spec.type} ${fx.note ? `${fx.note} ` : ''}${JSON.stringify(fx.params)} on ${JSON.stringify(fx.inputs)}`;
}
