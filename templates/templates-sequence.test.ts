// Template tests, part 3: the sequence models (seq2seq, language models, Transformer, mini BERT). The tests themselves are in templateSuite.ts.
import * as tf from '@tensorflow/tfjs';
import { beforeAll } from 'vitest';
import { PARTS, templateSuite } from './templateSuite';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

templateSuite(PARTS.sequence);
