// The built-in datasets by name (what `--data NAME` and the training panel accept).
import type { DataEnv, Dataset } from './dataset';
import { loadFashionMnist, loadMnist } from './images';
import { loadMnistFull } from './mnistFull';
import { makePoints } from './synthetic';
import { loadCmudict, makeCharLm, makeDigitSequences, makeSequenceTask } from './sequences';
import { DataError } from './dataset';
import { makeRecall } from './recall';
import { makeProgressionSteps } from './progressions';

export interface DatasetEntry {
  name: string;
  title: string;
  /** Loads (or generates) it; `limit` caps the number of examples. */
  load(env: DataEnv, opts: { limit?: number; seed?: number }): Promise<Dataset>;
}

export const DATASETS: DatasetEntry[] = [
  { name: 'mnist', title: 'MNIST digits (28×28×1, 10 classes)', load: (env, o) => loadMnist(env, { limit: o.limit, seed: o.seed }) },
  { name: 'mnist-full', title: 'MNIST, full (60,000 train + 10,000 test, 28×28×1, 10 classes)', load: (env, o) => loadMnistFull(env, { limit: o.limit, seed: o.seed }) },
  { name: 'fashion-mnist', title: 'Fashion-MNIST (28×28×1, 10 classes)', load: (env, o) => loadFashionMnist(env, { limit: o.limit, seed: o.seed }) },
  { name: 'xor', title: 'XOR (2-D points, 2 classes)', load: async (_e, o) => makePoints('xor', { n: o.limit, seed: o.seed }) },
  { name: 'circles', title: 'Circles (2-D points, 2 classes)', load: async (_e, o) => makePoints('circles', { n: o.limit, seed: o.seed }) },
  { name: 'spirals', title: 'Two spirals (2-D points, 2 classes)', load: async (_e, o) => makePoints('spirals', { n: o.limit, seed: o.seed }) },
  { name: 'reverse', title: 'Sequence reversal (seq2seq)', load: async (_e, o) => makeSequenceTask('reverse', { n: o.limit, seed: o.seed }) },
  { name: 'sort', title: 'Sequence sorting (seq2seq)', load: async (_e, o) => makeSequenceTask('sort', { n: o.limit, seed: o.seed }) },
  { name: 'addition', title: 'Addition (seq2seq)', load: async (_e, o) => makeSequenceTask('addition', { n: o.limit, seed: o.seed }) },
  { name: 'dates', title: 'Date formatting (seq2seq)', load: async (_e, o) => makeSequenceTask('dates', { n: o.limit, seed: o.seed }) },
  { name: 'cmudict', title: 'CMUdict word → phonemes (seq2seq)', load: (env, o) => loadCmudict(env, { n: o.limit, seed: o.seed }) },
  { name: 'char-lm', title: 'Character language model (text)', load: async () => makeCharLm() },
  { name: 'sequence-masked', title: 'Masked digit sequences (BERT-style pretraining)', load: async (_e, o) => makeDigitSequences('masked', { n: o.limit, seed: o.seed }) },
  { name: 'recall-anywhere', title: 'Recall a key seen anywhere in 61 steps, tested 60 steps after it', load: async (_e, o) => makeRecall({ n: o.limit, seed: o.seed, gap: 60, anywhere: true }) },
  { name: 'recall', title: 'Recall the first token after 50 distractors (long dependency)', load: async (_e, o) => makeRecall({ n: o.limit, seed: o.seed }) },
  { name: 'progression-step', title: 'Name the step of a digit progression (few labels)', load: async (_e, o) => makeProgressionSteps({ n: o.limit, seed: o.seed }) },
  { name: 'sequence-sorted', title: 'Sorted or not (sequence classification)', load: async (_e, o) => makeDigitSequences('sorted', { n: o.limit, seed: o.seed }) },
];

/**
 * Adds each bundled data set's download size to its title ("… · 1.6 MB download"), so the size is
 * shown before anyone picks it. Called once by the browser app with the build's asset sizes.
 */
export function noteDownloadSizes(bytes: Record<string, number>): void {
  for (const d of DATASETS) {
    const b = bytes[d.name];
    if (b !== undefined && !d.title.includes(' download')) d.title = `${d.title} · ${b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${Math.ceil(b / 1e3)} kB`} download`;
  }
}

export function findDataset(name: string): DatasetEntry {
  const d = DATASETS.find((x) => x.name === name);
  if (!d) throw new DataError(`unknown dataset ${JSON.stringify(name)}; built-in datasets: ${DATASETS.map((x) => x.name).join(', ')}`);
  return d;
}
