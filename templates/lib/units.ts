// Repeated units (a VGG stage, a ResNet basic or bottleneck block, a Transformer encoder layer).
// A unit is a function that adds its nodes to a scope and returns its output. The host decides
// how it lands in the document: expanded in place with prefixed ids (flat), or as a macro
// definition placed once per instance.
import { GraphBuilder, layout, type Ref, type Scope } from './builder';
import type { MacroDef } from '../../src/core/graph';

export type UnitBody = (s: Scope, x: Ref) => Ref;

export interface UnitHost extends Scope {
  /** Adds one instance of a unit fed by x; returns the instance's output. */
  unit(instanceId: string, macroName: string, label: string, body: UnitBody, x: Ref): Ref;
}

/** Expands every unit in place; inner ids become `${instanceId}_${innerId}`. */
export class FlatHost extends GraphBuilder implements UnitHost {
  unit(instanceId: string, _macroName: string, _label: string, body: UnitBody, x: Ref): Ref {
    return body(this.prefixed(`${instanceId}_`), x);
  }
}

/**
 * Places every unit as a macro block: the body is built once into `macros[macroName]` (its input
 * is "$in", its output "out") and each instance is one `{"type": "Macro"}` node. A macro name
 * must stand for one body: building the same name with a different body is a bug here.
 */
export class MacroHost extends GraphBuilder implements UnitHost {
  readonly macros: Record<string, MacroDef> = {};

  unit(instanceId: string, macroName: string, label: string, body: UnitBody, x: Ref): Ref {
    const inner = new GraphBuilder();
    const out = body(inner, { node: '$in' });
    const def: MacroDef = {
      label,
      inputs: ['in'],
      outputs: [out.port === undefined ? { name: 'out', node: out.node } : { name: 'out', node: out.node, port: out.port }],
      nodes: inner.nodes,
      edges: inner.edges,
    };
    layout(def.nodes, def.edges);
    const prev = this.macros[macroName];
    if (prev && JSON.stringify(prev) !== JSON.stringify(def)) throw new Error(`template builder: macro "${macroName}" built with two different bodies`);
    this.macros[macroName] = def;
    return this.add(instanceId, 'Macro', { name: macroName }, [x], label);
  }
}
