// Template tests, part 2: the small image models (the minis, LeNet-5, MLPs, XOR, spirals, autoencoders). The tests themselves are in templateSuite.ts.
import * as tf from '@tensorflow/tfjs';
import { beforeAll } from 'vitest';
import { PARTS, templateSuite } from './templateSuite';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

templateSuite(PARTS.small);
