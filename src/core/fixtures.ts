// Grid-generated fixtures, as tfjs-layers' own tests do: every combination of the given
// param values becomes one case for the contract test.
import type { Fixture } from './spec';

export function grid<T extends Record<string, readonly unknown[]>>(
  axes: T,
  make: (params: { [K in keyof T]: T[K][number] }) => Fixture,
): Fixture[] {
  const keys = Object.keys(axes) as (keyof T)[];
  const out: Fixture[] = [];
  const walk = (i: number, acc: Record<string, unknown>) => {
    if (i === keys.length) {
      out.push(make({ ...acc } as { [K in keyof T]: T[K][number] }));
      return;
    }
    const k = keys[i]!;
    for (const v of axes[k]!) walk(i + 1, { ...acc, [k]: v });
  };
  walk(0, {});
  return out;
}
