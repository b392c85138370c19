// An independent statement of torchvision's AlexNet, VGG and ResNet in PyTorch's own terms
// (NCHW, Conv2d(cin, cout, k, stride, padding, bias), output size floor((h + 2p − k) / s) + 1),
// used by the template tests as the reference for parameter counts and MACs. It shares no code
// with the templates or the blocks: it re-reads torchvision's model definitions
// (torchvision/models/alexnet.py, vgg.py, resnet.py) and counts what torch would count:
// - params: the tensors in model.parameters() (conv and linear weights and biases, BatchNorm
//   weight and bias); BatchNorm's running mean and variance are buffers, counted apart;
// - MACs: conv = output positions × k² × cin × cout; linear = in × out (per example).

export interface TorchCount {
  params: number;
  /** BatchNorm running_mean + running_var elements (buffers, not parameters). */
  buffers: number;
  /** Conv + linear multiply–accumulates for one example. */
  macs: number;
}

class Tracer implements TorchCount {
  params = 0;
  buffers = 0;
  macs = 0;
  constructor(
    public c: number,
    public h: number,
    public w: number,
  ) {}

  private out(n: number, k: number, s: number, p: number): number {
    return Math.floor((n + 2 * p - k) / s) + 1;
  }
  conv(cout: number, k: number, s = 1, p = 0, bias = true): this {
    this.h = this.out(this.h, k, s, p);
    this.w = this.out(this.w, k, s, p);
    this.params += cout * this.c * k * k + (bias ? cout : 0);
    this.macs += this.h * this.w * k * k * this.c * cout;
    this.c = cout;
    return this;
  }
  bn(): this {
    this.params += 2 * this.c;
    this.buffers += 2 * this.c;
    return this;
  }
  pool(k: number, s: number, p = 0): this {
    this.h = this.out(this.h, k, s, p);
    this.w = this.out(this.w, k, s, p);
    return this;
  }
  /** AdaptiveAvgPool2d((n, n)): only the output size matters here. */
  adaptive(n: number): this {
    this.h = n;
    this.w = n;
    return this;
  }
  flatten(): this {
    this.c = this.c * this.h * this.w;
    this.h = 1;
    this.w = 1;
    return this;
  }
  linear(out: number): this {
    this.params += this.c * out + out;
    this.macs += this.c * out;
    this.c = out;
    return this;
  }
  /** A side branch from the same input (a shortcut), merged back by the caller. */
  fork(): Tracer {
    const t = new Tracer(this.c, this.h, this.w);
    return t;
  }
  absorb(t: Tracer): void {
    this.params += t.params;
    this.buffers += t.buffers;
    this.macs += t.macs;
  }
}

/** torchvision.models.alexnet (features, avgpool 6×6, classifier), optionally resized. */
export function torchAlexnet(o: { in: [number, number, number]; classes: number; filters: number[]; stem: [number, number, number]; hidden: number; adaptive?: number }): TorchCount {
  const [k, s, p] = o.stem;
  const f = o.filters;
  const t = new Tracer(...o.in);
  t.conv(f[0]!, k, s, p).pool(3, 2).conv(f[1]!, 5, 1, 2).pool(3, 2).conv(f[2]!, 3, 1, 1).conv(f[3]!, 3, 1, 1).conv(f[4]!, 3, 1, 1).pool(3, 2);
  if (o.adaptive) t.adaptive(o.adaptive);
  t.flatten().linear(o.hidden).linear(o.hidden).linear(o.classes);
  return t;
}

/** torchvision.models.vgg: cfg like [64, 'M', 128, 'M', …], batch_norm keeps the conv bias. */
export function torchVgg(o: { in: [number, number, number]; classes: number; cfg: (number | 'M')[]; bn: boolean; hidden: number; adaptive?: number }): TorchCount {
  const t = new Tracer(...o.in);
  for (const v of o.cfg) {
    if (v === 'M') t.pool(2, 2);
    else {
      t.conv(v, 3, 1, 1, true);
      if (o.bn) t.bn();
    }
  }
  if (o.adaptive) t.adaptive(o.adaptive);
  t.flatten().linear(o.hidden).linear(o.hidden).linear(o.classes);
  return t;
}

export const TORCH_VGG_CFGS: Record<'A' | 'B' | 'D' | 'E', (number | 'M')[]> = {
  A: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  B: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  D: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  E: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
};

/** torchvision.models.resnet (v1.5: stride on the bottleneck's 3×3), optionally with a small stem. */
export function torchResnet(o: { in: [number, number, number]; classes: number; block: 'basic' | 'bottleneck'; layers: number[]; widths: number[]; smallStem?: boolean }): TorchCount {
  const t = new Tracer(...o.in);
  const expansion = o.block === 'basic' ? 1 : 4;
  if (o.smallStem) t.conv(o.widths[0]!, 3, 1, 1, false).bn();
  else t.conv(o.widths[0]!, 7, 2, 3, false).bn().pool(3, 2, 1);
  let inplanes = o.widths[0]!;
  o.layers.forEach((n, i) => {
    const planes = o.widths[i]!;
    for (let j = 0; j < n; j++) {
      const stride = j === 0 && i > 0 ? 2 : 1;
      const short = t.fork();
      if (stride !== 1 || inplanes !== planes * expansion) short.conv(planes * expansion, 1, stride, 0, false).bn();
      if (o.block === 'basic') t.conv(planes, 3, stride, 1, false).bn().conv(planes, 3, 1, 1, false).bn();
      else t.conv(planes, 1, 1, 0, false).bn().conv(planes, 3, stride, 1, false).bn().conv(planes * 4, 1, 1, 0, false).bn();
      t.absorb(short);
      inplanes = planes * expansion;
    }
  });
  // AdaptiveAvgPool2d((1, 1)), flatten, fc.
  t.adaptive(1).flatten().linear(o.classes);
  return t;
}

/**
 * torchvision's published numbers (the model docs' tables: "Params" and "GFLOPS", the latter
 * being conv + linear multiply–accumulates in billions, rounded to two decimals).
 */
export const TORCHVISION_PUBLISHED: Record<string, { params: number; gmacs: number }> = {
  alexnet: { params: 61_100_840, gmacs: 0.71 },
  vgg11: { params: 132_863_336, gmacs: 7.61 },
  vgg13: { params: 133_047_848, gmacs: 11.31 },
  vgg16: { params: 138_357_544, gmacs: 15.47 },
  vgg19: { params: 143_667_240, gmacs: 19.63 },
  'vgg16-bn': { params: 138_365_992, gmacs: 15.47 },
  resnet18: { params: 11_689_512, gmacs: 1.81 },
  resnet34: { params: 21_797_672, gmacs: 3.66 },
  resnet50: { params: 25_557_032, gmacs: 4.09 },
  resnet101: { params: 44_549_160, gmacs: 7.8 },
  resnet152: { params: 60_192_808, gmacs: 11.51 },
};

const IMAGENET: [number, number, number] = [3, 224, 224];
const ALEX = { in: IMAGENET, classes: 1000, filters: [64, 192, 384, 256, 256], stem: [11, 4, 2] as [number, number, number], hidden: 4096, adaptive: 6 };

/** The reference for each ImageNet-size template and each small variant (same code, resized). */
export const TORCH_REFERENCE: Record<string, TorchCount> = {
  alexnet: torchAlexnet(ALEX),
  vgg11: torchVgg({ in: IMAGENET, classes: 1000, cfg: TORCH_VGG_CFGS.A, bn: false, hidden: 4096, adaptive: 7 }),
  vgg13: torchVgg({ in: IMAGENET, classes: 1000, cfg: TORCH_VGG_CFGS.B, bn: false, hidden: 4096, adaptive: 7 }),
  vgg16: torchVgg({ in: IMAGENET, classes: 1000, cfg: TORCH_VGG_CFGS.D, bn: false, hidden: 4096, adaptive: 7 }),
  vgg19: torchVgg({ in: IMAGENET, classes: 1000, cfg: TORCH_VGG_CFGS.E, bn: false, hidden: 4096, adaptive: 7 }),
  'vgg16-bn': torchVgg({ in: IMAGENET, classes: 1000, cfg: TORCH_VGG_CFGS.D, bn: true, hidden: 4096, adaptive: 7 }),
  resnet18: torchResnet({ in: IMAGENET, classes: 1000, block: 'basic', layers: [2, 2, 2, 2], widths: [64, 128, 256, 512] }),
  resnet34: torchResnet({ in: IMAGENET, classes: 1000, block: 'basic', layers: [3, 4, 6, 3], widths: [64, 128, 256, 512] }),
  resnet50: torchResnet({ in: IMAGENET, classes: 1000, block: 'bottleneck', layers: [3, 4, 6, 3], widths: [64, 128, 256, 512] }),
  resnet101: torchResnet({ in: IMAGENET, classes: 1000, block: 'bottleneck', layers: [3, 4, 23, 3], widths: [64, 128, 256, 512] }),
  resnet152: torchResnet({ in: IMAGENET, classes: 1000, block: 'bottleneck', layers: [3, 8, 36, 3], widths: [64, 128, 256, 512] }),
  // The small variants, as the same torchvision code would build them at 1×28×28, 10 classes.
  'alexnet-mini': torchAlexnet({ in: [1, 28, 28], classes: 10, filters: [16, 24, 32, 32, 24], stem: [5, 1, 2], hidden: 128 }),
  'vgg-mini': torchVgg({ in: [1, 28, 28], classes: 10, cfg: [8, 8, 'M', 16, 16, 'M', 32, 32, 'M'], bn: false, hidden: 128 }),
  'resnet-mini': torchResnet({ in: [1, 28, 28], classes: 10, block: 'basic', layers: [2, 2, 2], widths: [8, 16, 32], smallStem: true }),
};
