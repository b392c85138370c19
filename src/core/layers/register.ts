// Registers the blocks' custom tfjs layer classes (BlockSpec.tfjsLayers) with tf.serialization,
// so compiled models save and reload (modelFromJSON, loadLayersModel) and imports find them.
// The registry (blocks/index.ts) calls it once with every block; a block module registers nothing itself.
import * as tf from '@tensorflow/tfjs';
import type { AnyBlockSpec, TfjsLayerClass } from '../spec';

/** Registers each class once; returns them by className (which block brings which: see `tfjsLayerOwners`). */
export function registerBlockLayers(blocks: readonly AnyBlockSpec[]): ReadonlyMap<string, TfjsLayerClass> {
  const byName = new Map<string, TfjsLayerClass>();
  for (const [name, owners] of tfjsLayerOwners(blocks)) {
    const classes = new Set(owners.map((o) => o.cls));
    // Two classes under one name would make a reloaded model build whichever registered last.
    if (classes.size > 1) throw new Error(`blocks ${owners.map((o) => o.block).join(', ')} bring different tfjs layer classes named ${JSON.stringify(name)}`);
    const cls = owners[0]!.cls;
    tf.serialization.registerClass(cls);
    byName.set(name, cls);
  }
  return byName;
}

/** For each custom class name, the blocks that list it (several for shared layers such as GRUResetAfter). */
export function tfjsLayerOwners(blocks: readonly AnyBlockSpec[]): Map<string, { block: string; cls: TfjsLayerClass }[]> {
  const out = new Map<string, { block: string; cls: TfjsLayerClass }[]>();
  for (const b of blocks)
    for (const cls of b.tfjsLayers ?? []) {
      if (typeof cls.className !== 'string' || !cls.className) throw new Error(`block ${b.type} lists a tfjs layer class without a static className`);
      const list = out.get(cls.className) ?? [];
      list.push({ block: b.type, cls });
      out.set(cls.className, list);
    }
  return out;
}
