// Each zoo template against torchvision itself (Debian's python3-torchvision, random weights): the
// same trainable parameter count, the same parameter shapes layer by layer (read from the PyTorch
// export, in torch layout), and conv + linear MACs within 2% of what torch runs on a 224×224 image.
import { describe, expect, it } from 'vitest';
import { analyze } from '../src/core/infer';
import { buildAll } from './catalog';
import { referenceMacs, ZOO, ZOO_CLASSIC } from './zoo';
import { templateTorchShapes, torchvisionReference, unpairedShapes, type TorchvisionRef } from './torchvisionRef';

const all = buildAll();
let refs: Record<string, TorchvisionRef> | undefined;
// One Python process for all of them (torch's import dominates a single model's time).
const PAIRS: [string, string][] = [...Object.entries(ZOO_CLASSIC), ...Object.entries(ZOO).map(([k, v]): [string, string] => [k, v.tv])];
const ref = (tv: string): TorchvisionRef => (refs ??= torchvisionReference(PAIRS.map(([, t]) => t)))[tv]!;

describe('zoo templates equal torchvision', () => {
  for (const [name, tv] of PAIRS) {
    it(`${name} = torchvision.models.${tv}: parameters, shapes layer by layer, MACs`, { timeout: 600_000 }, () => {
      const t = all.find((x) => x.name === name);
      expect(t, `template ${name}`).toBeDefined();
      const doc = t!.doc;
      const r = ref(tv);
      const a = analyze(doc);
      expect(a.ok, a.errors.map((e) => e.message).join('; ')).toBe(true);
      let trainable = 0;
      let macs = 0;
      for (const n of a.flat.nodes.values()) {
        trainable += n.paramCount?.trainable ?? 0;
        macs += referenceMacs(n);
      }
      expect(trainable).toBe(r.params);
      if (ZOO[name]) expect(r.params, 'torchvision\'s documented count').toBe(ZOO[name]!.params);
      expect(unpairedShapes(templateTorchShapes(doc), r.shapes)).toEqual([]);
      expect(Math.abs(macs - r.macs) / r.macs, `MACs ${macs} vs torchvision's ${r.macs}`).toBeLessThanOrEqual(0.02);
    });
  }
});
