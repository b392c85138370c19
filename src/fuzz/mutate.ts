// Mutations of existing graphs (the templates) for the property tests: a changed param (in range
// or hostile), a deleted node or edge, a redirected edge, a swapped type, a wrong handle. Pure
// and deterministic given the seed.
import { getBlock } from '../../blocks/index';
import { rng } from '../core/randomInputs';
import type { GraphDoc } from '../core/graph';
import type { ParamDef } from '../core/spec';
import { HOSTILE_VALUES } from './gen';

type Rand = () => number;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** 1–3 random mutations of `doc` (a deep copy; the original is untouched). */
export function mutateGraph(doc: GraphDoc, seed: number, extras: readonly unknown[] = []): GraphDoc {
  const r = rng(seed);
  const g = JSON.parse(JSON.stringify(doc)) as GraphDoc;
  const n = int(r, 1, 3);
  for (let i = 0; i < n && g.nodes.length; i++) {
    const node = pick(r, g.nodes);
    // Half the mutations change one param, so a fair share of mutants stay valid and run.
    switch (r() < 0.5 ? 0 : int(r, 2, 7)) {
      case 0: {
        // A param: in range (a small number or another option) or hostile.
        const spec = getBlock(node.type);
        const names = spec ? Object.keys(spec.params) : ['units'];
        const name = pick(r, names);
        const def = spec?.params[name] as ParamDef | undefined;
        const sane = def?.kind === 'enum' ? pick(r, def.options) : def?.kind === 'bool' ? r() < 0.5 : int(r, 0, 4);
        node.params = { ...(node.params ?? {}), [name]: r() < 0.7 ? sane : pick(r, [...HOSTILE_VALUES, ...extras]) };
        break;
      }
      case 2:
        g.nodes = g.nodes.filter((x) => x !== node);
        break;
      case 3:
        if (g.edges.length) g.edges.splice(int(r, 0, g.edges.length - 1), 1);
        break;
      case 4:
        if (g.edges.length) pick(r, g.edges).target = pick(r, g.nodes).id;
        break;
      case 5:
        node.type = pick(r, ['Dense', 'Conv2D', 'LSTM', 'Concatenate', 'Flatten', 'Reshape', 'Add', 'Dens', 'constructor']);
        break;
      case 6:
        if (g.edges.length) pick(r, g.edges).targetHandle = pick(r, ['in', 'in0', 'in2', 'h0', 'key', 'bogus']);
        break;
      case 7:
        if (g.edges.length) pick(r, g.edges).source = pick(r, g.nodes).id;
        break;
    }
  }
  return g;
}
