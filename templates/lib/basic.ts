// The small lecture models: MLPs (depth demo, XOR, spirals) and the autoencoder family.
import type { Scope } from './builder';

export function mlp(g: Scope, c: { input: number[]; hidden: number[]; activation: string; classes: number; output?: 'softmax' | 'sigmoid'; flatten?: boolean }): void {
  let x = g.add('input', 'Input', { shape: c.input }, []);
  if (c.flatten) x = g.add('flatten', 'Flatten', {}, [x]);
  c.hidden.forEach((units, i) => {
    x = g.add(`hidden${i + 1}`, 'Dense', { units, activation: c.activation }, [x]);
  });
  g.add('output', 'Dense', { units: c.classes, activation: c.output ?? 'softmax' }, [x]);
}

/** Dense autoencoder on 28×28 images: 784 → … → code → … → 784, reshaped back to an image. */
export function autoencoder(g: Scope, c: { hidden: number[]; code: number; noise?: number; variational?: boolean }): void {
  let x = g.add('input', 'Input', { shape: [28, 28, 1] }, []);
  // GaussianNoise corrupts the input while training only; the target stays the clean image.
  if (c.noise !== undefined) x = g.add('noise', 'GaussianNoise', { stddev: c.noise }, [x]);
  x = g.add('flatten', 'Flatten', {}, [x]);
  c.hidden.forEach((units, i) => {
    x = g.add(`encoder${i + 1}`, 'Dense', { units, activation: 'relu' }, [x]);
  });
  if (c.variational) {
    // The encoder outputs a Gaussian per example; Sampling draws z = mean + exp(logVar/2)·ε and
    // adds the KL divergence to N(0, I) to the loss. The reconstruction loss is a mean over the
    // 784 pixels, so the KL (a sum over the code) is weighted 1/784: the ELBO divided by 784.
    const mean = g.add('z_mean', 'Dense', { units: c.code }, [x]);
    const logVar = g.add('z_log_var', 'Dense', { units: c.code }, [x]);
    x = g.add('z', 'Sampling', { klWeight: 1 / 784 }, [
      [mean, 'mean'],
      [logVar, 'logVar'],
    ]);
  } else {
    x = g.add('code', 'Dense', { units: c.code, activation: 'relu' }, [x]);
  }
  [...c.hidden].reverse().forEach((units, i) => {
    x = g.add(`decoder${i + 1}`, 'Dense', { units, activation: 'relu' }, [x]);
  });
  x = g.add('pixels', 'Dense', { units: 784, activation: 'sigmoid' }, [x]);
  g.add('image', 'Reshape', { targetShape: [28, 28, 1] }, [x]);
}
