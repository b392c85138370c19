// Every template: how its graph is built, its card (title, description, paper, dataset) and the
// recommended training config. templates/generate.ts writes these out as templates/NAME.json
// (and the shape goldens); templates.test.ts checks the committed files equal this output.
import { RESULTS } from './results';
import { DATASETS } from '../src/data/registry';
import { layout, NOT_BUNDLED, NOT_MEASURED, type TemplateDoc, type TemplateMeta, type TrainingConfig } from './lib/builder';
import { MacroHost, type UnitHost } from './lib/units';
import { alexnet, lenet5, resnet, RESNET_CFG, vgg, VGG_CFG, vggStages } from './lib/vision';
import { autoencoder, mlp } from './lib/basic';
import { efficientnetB0, mobilenetV2, mobilenetV3, V3_LARGE, V3_MINI, V3_SMALL } from './lib/mobile';
import { bertFinetune, bertPretrain, charLm, seq2seq, transformerClassifier } from './lib/sequence';
import { densenet, regnetY, shufflenetV2, squeezenet11 } from './lib/zooCnn';
import { convnext, googlenet, vit } from './lib/zooModern';

export interface TemplateSpec {
  /** File name without .json. */
  name: string;
  title: string;
  family: string;
  description: string;
  paper: string;
  dataset: string;
  training: TrainingConfig;
  build(g: UnitHost): void;
}

// ---------------------------------------------------------------------------------------------
// Recommended training configs
// ---------------------------------------------------------------------------------------------

const IMAGENET = 'ImageNet-1k (ILSVRC 2012), 224×224 RGB crops, 1000 classes — not bundled: this template is for inspecting, counting and exporting the architecture; its small variant trains here';

function imagenetTraining(lr: number, epochs: number, batchSize = 256): TrainingConfig {
  return { loss: 'sparseCategoricalCrossentropy', optimizer: 'sgd', momentum: 0.9, learningRate: lr, batchSize, epochs, dataset: 'imagenet' };
}
const smallImageTraining = (dataset: 'mnist' | 'fashion-mnist', epochs = 5, lr = 0.001): TrainingConfig => ({
  loss: 'sparseCategoricalCrossentropy',
  optimizer: 'adam',
  learningRate: lr,
  batchSize: 64,
  epochs,
  dataset,
  validationSplit: 0.1,
});

// ---------------------------------------------------------------------------------------------
// The catalog
// ---------------------------------------------------------------------------------------------

const RESNET_PAPER = 'K. He, X. Zhang, S. Ren, J. Sun: Deep Residual Learning for Image Recognition. CVPR 2016 (arXiv:1512.03385, 2015). Stride on the bottleneck 3×3 as in torchvision ("ResNet v1.5")';
const VGG_PAPER = 'K. Simonyan, A. Zisserman: Very Deep Convolutional Networks for Large-Scale Image Recognition. ICLR 2015 (arXiv:1409.1556, 2014)';

const vggTemplates: TemplateSpec[] = (['vgg11', 'vgg13', 'vgg16', 'vgg19'] as const).map((name) => {
  const depth = name.slice(3);
  return {
    name,
    title: `VGG-${depth}`,
    family: 'vgg',
    description: `VGG-${depth} as in torchvision: five stages of 3×3 convolutions (${VGG_CFG[name].join('-')} per stage) with a 2×2 max pool after each, then three fully connected layers. The point is that depth built from the smallest useful kernel beats a few large kernels. Open a stage to see its convs; note that almost 90% of the parameters sit in the first fully connected layer (7×7×512 → 4096).`,
    paper: VGG_PAPER,
    dataset: IMAGENET,
    training: imagenetTraining(0.01, 74),
    build: (g) => vgg(g, { input: [224, 224, 3], classes: 1000, stages: vggStages(VGG_CFG[name]), batchNorm: false, hidden: 4096, dropout: 0.5 }),
  };
});

const resnetTemplates: TemplateSpec[] = (['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152'] as const).map((name) => {
  const depth = name.slice(6);
  const cfg = RESNET_CFG[name];
  const unit =
    cfg.block === 'basic'
      ? 'basic blocks (two 3×3 convs with batch norm)'
      : 'bottleneck blocks (1×1 reduce, 3×3, 1×1 expand ×4, each with batch norm; the 3×3 carries the stride)';
  return {
    name,
    title: `ResNet-${depth}`,
    family: 'resnet',
    description: `ResNet-${depth} as in torchvision: a 7×7 stride-2 stem and max pool, then four stages of ${cfg.layers.join(', ')} ${unit}, global average pooling and one classifier layer. Each block adds its input back to its output, so the signal and the gradient have an identity path through the whole depth. Look at the first block of each stage: where the shape changes, the shortcut becomes a 1×1 stride-2 convolution with batch norm.`,
    paper: RESNET_PAPER,
    dataset: IMAGENET,
    training: imagenetTraining(0.1, 90),
    build: (g) => resnet(g, { input: [224, 224, 3], classes: 1000, ...cfg, widths: [64, 128, 256, 512], stem: 'imagenet' }),
  };
});

export const TEMPLATES: TemplateSpec[] = [
  // ---- ImageNet-size, exact to torchvision ----
  {
    name: 'alexnet',
    title: 'AlexNet',
    family: 'alexnet',
    description:
      'AlexNet in the single-tower form torchvision ships (64-192-384-256-256 filters, no local response normalisation). It was the network that made deep convolutional nets win ImageNet: ReLUs, overlapping max pooling and dropout in a large classifier. Notice the 11×11 stride-4 first layer (built as padding 2 plus a valid convolution, as in PyTorch) and that the three dense layers hold 96% of the 61.1 M parameters.',
    paper:
      'A. Krizhevsky, I. Sutskever, G. E. Hinton: ImageNet Classification with Deep Convolutional Neural Networks. NeurIPS 2012; single-tower variant from A. Krizhevsky: One weird trick for parallelizing convolutional neural networks, arXiv:1404.5997, 2014',
    dataset: IMAGENET,
    training: imagenetTraining(0.01, 90, 128),
    build: (g) =>
      alexnet(g, { input: [224, 224, 3], classes: 1000, filters: [64, 192, 384, 256, 256], stem: { kernel: 11, stride: 4, pad: 2 }, conv2Kernel: 5, hidden: 4096, dropout: 0.5 }),
  },
  ...vggTemplates,
  {
    name: 'vgg16-bn',
    title: 'VGG-16 with batch norm',
    family: 'vgg',
    description:
      'VGG-16 with a batch normalisation after every convolution, as torchvision\'s vgg16_bn (the conv biases are kept, as there). Batch norm makes this depth trainable from scratch without the staged initialisation the original paper needed. Compare it with VGG-16: 8,448 more trainable parameters (a scale and a shift per channel) and the same MACs in its convolutions.',
    paper: `${VGG_PAPER}; S. Ioffe, C. Szegedy: Batch Normalization: Accelerating Deep Network Training by Reducing Internal Covariate Shift. ICML 2015`,
    dataset: IMAGENET,
    training: imagenetTraining(0.1, 74),
    build: (g) => vgg(g, { input: [224, 224, 3], classes: 1000, stages: vggStages(VGG_CFG.vgg16), batchNorm: true, hidden: 4096, dropout: 0.5 }),
  },
  ...resnetTemplates,
  // ---- Mobile families (torchvision 0.14, exact) ----
  {
    name: 'mobilenet-v2',
    title: 'MobileNetV2',
    family: 'mobilenet',
    description:
      'MobileNetV2 as in torchvision: a 3×3 stride-2 stem, seventeen inverted residual blocks and a 1×1 conv to 1280 channels before pooling and one classifier layer. Each block expands its channels six-fold with a 1×1 conv, filters them with a cheap 3×3 depthwise conv (one filter per channel), and projects back down with a linear 1×1 conv: no ReLU6 after the projection, because a nonlinearity on the narrow bottleneck destroys information. Compare its 3.5 M parameters and about 300 M MACs with ResNet-50\'s 25.6 M and 4.1 G.',
    paper: 'M. Sandler, A. Howard, M. Zhu, A. Zhmoginov, L.-C. Chen: MobileNetV2: Inverted Residuals and Linear Bottlenecks. CVPR 2018 (arXiv:1801.04381, 2018)',
    dataset: IMAGENET,
    training: imagenetTraining(0.045, 300, 256),
    build: (g) => mobilenetV2(g),
  },
  {
    name: 'mobilenet-v3-large',
    title: 'MobileNetV3-Large',
    family: 'mobilenet',
    description:
      'MobileNetV3-Large as in torchvision: inverted residual blocks whose kernel sizes, widths and squeeze-and-excitation placement came from a hardware-aware architecture search. Later blocks use hard-swish (x·relu6(x + 3)/6), a cheap stand-in for swish, and the SE blocks gate channels with PyTorch\'s hard sigmoid. Open a block with SE to see the pool → 1×1 → ReLU → 1×1 → gate → broadcasting Multiply path.',
    paper: 'A. Howard, M. Sandler, G. Chu, L.-C. Chen, B. Chen, M. Tan, W. Wang, Y. Zhu, R. Pang, V. Vasudevan, Q. V. Le, H. Adam: Searching for MobileNetV3. ICCV 2019 (arXiv:1905.02244, 2019)',
    dataset: IMAGENET,
    training: { ...imagenetTraining(0.064, 600, 1024), optimizer: 'rmsprop' },
    build: (g) => mobilenetV3(g, { input: [224, 224, 3], classes: 1000, rows: V3_LARGE, stem: { filters: 16, stride: 2 }, hidden: 1280, dropout: 0.2 }),
  },
  {
    name: 'mobilenet-v3-small',
    title: 'MobileNetV3-Small',
    family: 'mobilenet',
    description:
      'MobileNetV3-Small as in torchvision: eleven inverted residual blocks, most with squeeze-and-excitation and hard-swish, for phones where about 60 M MACs is the budget. The classifier is two dense layers (576 → 1024 → 1000) with hard-swish between them; note that it holds over half of the 2.5 M parameters. Batch norm uses torchvision\'s eps 0.001 and momentum 0.01 for this family.',
    paper: 'A. Howard, M. Sandler, G. Chu, L.-C. Chen, B. Chen, M. Tan, W. Wang, Y. Zhu, R. Pang, V. Vasudevan, Q. V. Le, H. Adam: Searching for MobileNetV3. ICCV 2019 (arXiv:1905.02244, 2019)',
    dataset: IMAGENET,
    training: { ...imagenetTraining(0.064, 600, 1024), optimizer: 'rmsprop' },
    build: (g) => mobilenetV3(g, { input: [224, 224, 3], classes: 1000, rows: V3_SMALL, stem: { filters: 16, stride: 2 }, hidden: 1024, dropout: 0.2 }),
  },
  {
    name: 'efficientnet-b0',
    title: 'EfficientNet-B0',
    family: 'efficientnet',
    description:
      'EfficientNet-B0 as in torchvision: sixteen MBConv blocks (inverted residuals with squeeze-and-excitation and SiLU/swish), found by architecture search and the base that the B1–B7 models scale up in depth, width and resolution together. The residual blocks end in stochastic depth, which drops the whole branch for some examples while training (more often deeper in the network) and is the identity at inference. Compare it with MobileNetV2: the same block shape plus SE, 5×5 kernels in some stages, and better accuracy at similar cost.',
    paper: 'M. Tan, Q. V. Le: EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks. ICML 2019 (arXiv:1905.11946, 2019)',
    dataset: IMAGENET,
    training: { ...imagenetTraining(0.016, 350, 256), optimizer: 'rmsprop' },
    build: (g) => efficientnetB0(g),
  },

  // ---- The same families, sized to train here ----
  {
    name: 'alexnet-mini',
    title: 'AlexNet mini (Fashion-MNIST)',
    family: 'alexnet',
    description:
      'AlexNet\'s layout shrunk to 28×28 grey images: five convolutions with overlapping 3×3 stride-2 max pooling after the first, second and fifth, then a dropout-regularised classifier. The first conv is 5×5 at stride 1 (a stride of 4 would throw away most of a 28-pixel image). The widths (16-24-32-32-24 filters, 128 hidden units) are small so that it trains in minutes on a CPU.',
    paper: 'After A. Krizhevsky, I. Sutskever, G. E. Hinton: ImageNet Classification with Deep Convolutional Neural Networks. NeurIPS 2012',
    dataset: 'Fashion-MNIST (28×28 grey, 10 classes; bundled). The training config uses 12,000 of its 70,000 images so that a run on a CPU takes minutes; clear the limit to train on all of them',
    training: { ...smallImageTraining('fashion-mnist', 5), limit: 12000 },
    build: (g) => alexnet(g, { input: [28, 28, 1], classes: 10, filters: [16, 24, 32, 32, 24], stem: { kernel: 5, stride: 1, pad: 2 }, conv2Kernel: 5, hidden: 128, dropout: 0.5 }),
  },
  {
    name: 'vgg-mini',
    title: 'VGG mini (Fashion-MNIST)',
    family: 'vgg',
    description:
      'Three VGG stages (two 3×3 convs and a 2×2 max pool each, 8-16-32 filters) and VGG\'s dropout classifier, on 28×28 images. It shows the VGG recipe — double the channels each time the resolution halves — at a size that trains here. The stages are the same macro blocks as in VGG-16.',
    paper: VGG_PAPER,
    dataset: 'Fashion-MNIST (28×28 grey, 10 classes; bundled). The training config uses 12,000 of its 70,000 images so that a run on a CPU takes minutes; clear the limit to train on all of them',
    training: { ...smallImageTraining('fashion-mnist', 5), limit: 12000 },
    build: (g) => vgg(g, { input: [28, 28, 1], classes: 10, stages: [[8, 8], [16, 16], [32, 32]], batchNorm: false, hidden: 128, dropout: 0.5 }),
  },
  {
    name: 'resnet-mini',
    title: 'ResNet mini (Fashion-MNIST)',
    family: 'resnet',
    description:
      'A 14-layer ResNet for 28×28 images: a 3×3 stem, three stages of two basic blocks (8, 16 and 32 channels; the second and third halve the resolution), global average pooling and a softmax. The blocks are the same as in ResNet-18, including the padded stride-2 convolutions and the 1×1 projection shortcuts where the shape changes. Batch norm uses PyTorch\'s epsilon and momentum.',
    paper: RESNET_PAPER,
    dataset: 'Fashion-MNIST (28×28 grey, 10 classes; bundled). The training config uses 12,000 of its 70,000 images so that a run on a CPU takes minutes; clear the limit to train on all of them',
    training: { ...smallImageTraining('fashion-mnist', 5), limit: 12000 },
    build: (g) => resnet(g, { input: [28, 28, 1], classes: 10, block: 'basic', layers: [2, 2, 2], widths: [8, 16, 32], stem: 'small' }),
  },


  {
    name: 'mobilenet-mini',
    title: 'MobileNet mini (Fashion-MNIST)',
    family: 'mobilenet',
    description:
      'MobileNetV3\'s building blocks at a size that trains here: a 3×3 stem on the 28×28 image, five inverted residual blocks (16-24-24-40-40 channels; the second and fourth halve the resolution), a 1×1 conv to 240 channels, pooling and a two-layer hard-swish classifier. The last two blocks use 5×5 depthwise convs, hard-swish and squeeze-and-excitation, exactly the blocks of MobileNetV3-Small. Batch norm keeps torchvision\'s eps 0.001 but updates its moving statistics faster (momentum 0.1, tfjs 0.9) than torchvision\'s 0.01: with 0.01 they lag far behind a run this short, and the trained model scored at chance in inference mode.',
    paper: 'After A. Howard, M. Sandler, G. Chu, L.-C. Chen, B. Chen, M. Tan, W. Wang, Y. Zhu, R. Pang, V. Vasudevan, Q. V. Le, H. Adam: Searching for MobileNetV3. ICCV 2019 (arXiv:1905.02244, 2019)',
    dataset: 'Fashion-MNIST (28×28 grey, 10 classes; bundled). The training config uses 6,000 of its 70,000 images for 3 epochs so that a run on a CPU takes minutes; clear the limit to train on all of them',
    training: { ...smallImageTraining('fashion-mnist', 3), limit: 6000 },
    build: (g) => mobilenetV3(g, { input: [28, 28, 1], classes: 10, rows: V3_MINI, stem: { filters: 16, stride: 1 }, hidden: 128, dropout: 0.2, bn: { momentum: 0.9, epsilon: 0.001 } }),
  },

  // ---- Classic small models ----
  {
    name: 'lenet5',
    title: 'LeNet-5',
    family: 'lenet',
    description:
      'LeCun\'s LeNet-5: two convolution + subsampling (average pooling) stages with tanh, a 5×5 convolution down to 120 features, then 84 and 10 units. It is the blueprint every later CNN follows: local receptive fields, shared weights, and pooling for a little translation invariance. Two simplifications, as is usual today: C3 connects to all six S2 maps and the output is a softmax instead of RBF units. It trains on the small MNIST (10,000 digits, quick to load), so the training config shifts each training digit by up to 2 pixels (augmentation, as the paper\'s distortions did) to keep it from memorising them; pick "MNIST, full" in the Train panel for the original 60,000 training digits (one epoch: about 97% test accuracy).',
    paper: 'Y. LeCun, L. Bottou, Y. Bengio, P. Haffner: Gradient-Based Learning Applied to Document Recognition. Proceedings of the IEEE, 1998',
    dataset: 'MNIST (28×28 grey digits, 10 classes; bundled)',
    // Without augmentation it overfit the 7,650 training digits (train 99.1%, test 95.3% after 8
    // epochs); with shifts of ±2 px at a constant rate it stalled near 96% (validation, 10 epochs).
    // Shifts and a cosine decay of the rate: 97.87% after 20 epochs (1,468 of 1,500). Tried too, all
    // 97.67% (1,465): 30 epochs; rotations of up to 10° added; a 5% validation split (425 more
    // training digits) — see templates/results.ts. The 7,650 digits are the limit.
    training: { ...smallImageTraining('mnist', 20, 0.002), augmentShift: 2, lrSchedule: 'cosine' },
    build: (g) => lenet5(g),
  },
  {
    name: 'mlp',
    title: 'MLP (depth demo)',
    family: 'mlp',
    description:
      'A multilayer perceptron on flattened MNIST digits: four hidden ReLU layers of 128 units and a softmax. Use it to see what depth buys: delete hidden layers (or add some) and compare the training curves and test accuracy. With no hidden layer it is plain softmax regression.',
    paper: 'D. E. Rumelhart, G. E. Hinton, R. J. Williams: Learning representations by back-propagating errors. Nature, 1986',
    dataset: 'MNIST (28×28 grey digits, 10 classes; bundled)',
    training: smallImageTraining('mnist', 5),
    build: (g) => mlp(g, { input: [28, 28, 1], flatten: true, hidden: [128, 128, 128, 128], activation: 'relu', classes: 10 }),
  },
  {
    name: 'xor-linear',
    title: 'XOR, linear model (fails)',
    family: 'toy',
    description:
      'A single sigmoid unit on the four XOR points: a linear decision boundary, so it cannot get more than three of the four right. This is the lecture\'s counter-example for linear models; train it, watch the loss stall near 0.69, then open the XOR MLP template.',
    paper: 'M. Minsky, S. Papert: Perceptrons. MIT Press, 1969',
    dataset: 'XOR (generated 2-D points, labels 0/1)',
    training: { loss: 'binaryCrossentropy', optimizer: 'adam', learningRate: 0.05, batchSize: 4, epochs: 300, dataset: 'xor' },
    build: (g) => mlp(g, { input: [2], hidden: [], activation: 'tanh', classes: 1, output: 'sigmoid' }),
  },
  {
    name: 'xor',
    title: 'XOR MLP',
    family: 'toy',
    description:
      'One hidden layer of four tanh units is enough to solve XOR: the hidden layer bends the plane so that the two classes become linearly separable for the output unit. Compare with the linear template, then look at what each hidden unit computes.',
    paper: 'D. E. Rumelhart, G. E. Hinton, R. J. Williams: Learning representations by back-propagating errors. Nature, 1986',
    dataset: 'XOR (generated 2-D points, labels 0/1)',
    training: { loss: 'binaryCrossentropy', optimizer: 'adam', learningRate: 0.05, batchSize: 4, epochs: 300, dataset: 'xor' },
    build: (g) => mlp(g, { input: [2], hidden: [4], activation: 'tanh', classes: 1, output: 'sigmoid' }),
  },
  {
    name: 'spirals',
    title: 'Two spirals MLP',
    family: 'toy',
    description:
      'Two interleaved spirals in the plane, a classic hard case for small networks: a linear model gets about half right, and a net needs several layers of nonlinear units to wind its decision boundary around the arms. Three ReLU layers of 32 units do it; try fewer units or layers, or tanh units, and watch training stall.',
    paper: 'K. J. Lang, M. J. Witbrock: Learning to Tell Two Spirals Apart. Proceedings of the 1988 Connectionist Models Summer School',
    dataset: 'Two spirals (generated 2-D points, labels 0/1)',
    training: { loss: 'binaryCrossentropy', optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs: 150, dataset: 'spirals' },
    build: (g) => mlp(g, { input: [2], hidden: [32, 32, 32], activation: 'relu', classes: 1, output: 'sigmoid' }),
  },
  {
    name: 'autoencoder',
    title: 'Autoencoder',
    family: 'autoencoder',
    description:
      'A dense autoencoder squeezes each 784-pixel digit through a 32-number code and reconstructs it; the target is the input itself. The bottleneck forces it to keep what matters and drop noise. Look at the reconstructions and at how the code changes as you vary the code size.',
    paper: 'G. E. Hinton, R. R. Salakhutdinov: Reducing the Dimensionality of Data with Neural Networks. Science, 2006',
    dataset: 'MNIST images (the labels are not used; the target is the input)',
    training: { loss: 'binaryCrossentropy', optimizer: 'adam', learningRate: 0.001, batchSize: 128, epochs: 10, dataset: 'mnist', target: 'input' },
    build: (g) => autoencoder(g, { hidden: [256, 128], code: 32 }),
  },
  {
    name: 'denoising-autoencoder',
    title: 'Denoising autoencoder',
    family: 'autoencoder',
    description:
      'The same autoencoder with Gaussian noise added to its input while training, and the clean image as the target. To undo the noise it has to learn the structure of digits rather than copy pixels. The noise layer is active only in training, so at inference the model sees clean inputs.',
    paper: 'P. Vincent, H. Larochelle, Y. Bengio, P.-A. Manzagol: Extracting and Composing Robust Features with Denoising Autoencoders. ICML 2008',
    dataset: 'MNIST images (the labels are not used; the target is the clean input)',
    training: { loss: 'binaryCrossentropy', optimizer: 'adam', learningRate: 0.001, batchSize: 128, epochs: 10, dataset: 'mnist', target: 'input' },
    build: (g) => autoencoder(g, { hidden: [256, 128], code: 32, noise: 0.3 }),
  },
  {
    name: 'vae',
    title: 'Variational autoencoder',
    family: 'autoencoder',
    description:
      'A VAE encodes each digit as a Gaussian (a mean and a log-variance per code dimension), samples a code from it with the reparameterisation trick, and decodes. The Sampling block adds the KL divergence to a unit Gaussian to the loss, which keeps the code space smooth, so decoding random codes gives plausible digits. Its weight is 1/784 because the reconstruction loss here is a mean over the 784 pixels: together they are the paper\'s ELBO divided by 784. Look at the two encoder heads feeding the Sampling block.',
    paper: 'D. P. Kingma, M. Welling: Auto-Encoding Variational Bayes. ICLR 2014 (arXiv:1312.6114, 2013)',
    dataset: 'MNIST images (the labels are not used; the target is the input)',
    training: { loss: 'binaryCrossentropy', optimizer: 'adam', learningRate: 0.001, batchSize: 128, epochs: 20, dataset: 'mnist', target: 'input' },
    build: (g) => autoencoder(g, { hidden: [256], code: 16, variational: true }),
  },

  // ---- Sequences ----
  {
    name: 'seq2seq-attention',
    title: 'seq2seq LSTM with dot-product attention',
    family: 'seq2seq',
    description:
      'An LSTM encoder reads the source; an LSTM decoder starts from its final state and, at every step, attends over all encoder outputs (dot-product scores, Luong style) before predicting the next token. Training uses teacher forcing: the decoder input is the target shifted right by one, starting with the start token. Attention removes the bottleneck of squeezing the whole source into one state; look at the attention map after training on sequence reversal — it is an anti-diagonal.',
    paper:
      'I. Sutskever, O. Vinyals, Q. V. Le: Sequence to Sequence Learning with Neural Networks. NeurIPS 2014; M.-T. Luong, H. Pham, C. D. Manning: Effective Approaches to Attention-based Neural Machine Translation. EMNLP 2015',
    dataset: 'Sequence reversal (generated: 10 digits in, the same reversed out; tokens 0 = padding, 1 = start, 2–11 = digits)',
    // reversal converges in about 3 epochs (measured); clipping at norm 5 as in Sutskever et al.
    training: { loss: 'sparseCategoricalCrossentropy', optimizer: 'adam', learningRate: 0.005, batchSize: 64, epochs: 6, clipNorm: 5, dataset: 'reverse' },
    build: (g) => seq2seq(g, { vocab: 12, length: 10, embed: 32, units: 64, attention: 'Attention' }),
  },
  {
    name: 'seq2seq-bahdanau',
    title: 'seq2seq LSTM with additive (Bahdanau) attention',
    family: 'seq2seq',
    description:
      'The same encoder–decoder with additive attention: each decoder state s and encoder output h are projected (the paper\'s W and U, two bias-free Dense blocks) and scored by v·tanh(W·s + U·h) with a learned v, instead of a dot product. Here the context joins the decoder output before the prediction (as in Luong\'s layout) rather than feeding back into the recurrence as in Bahdanau\'s paper, which keeps teacher-forced training one pass. Compare its attention maps and training speed with the dot-product template.',
    paper: 'D. Bahdanau, K. Cho, Y. Bengio: Neural Machine Translation by Jointly Learning to Align and Translate. ICLR 2015 (arXiv:1409.0473, 2014)',
    dataset: 'Sequence reversal (generated: 10 digits in, the same reversed out; tokens 0 = padding, 1 = start, 2–11 = digits)',
    // Additive attention learns the alignment more slowly than the dot product (without the W/U
    // projections it stood at 47.5% exact match after 6 epochs): 8 epochs. Clipping at norm 5 as
    // in Sutskever et al.
    training: { loss: 'sparseCategoricalCrossentropy', optimizer: 'adam', learningRate: 0.005, batchSize: 64, epochs: 8, clipNorm: 5, dataset: 'reverse' },
    build: (g) => seq2seq(g, { vocab: 12, length: 10, embed: 32, units: 64, attention: 'AdditiveAttention' }),
  },
  {
    name: 'char-rnn',
    title: 'Character-level RNN language model',
    family: 'language-model',
    description:
      "An Elman RNN reads text one character at a time and predicts the next character at every position; sampled one character at a time, it writes text in the style of the corpus. Measured here it beats the two-layer LSTM template (held-out perplexity 10.9 against 19.7 after the same 20 short epochs, 300 Adam steps), because this 4.7 k-character task mostly asks for the last few characters, which one plain layer with orthogonal recurrent weights picks up quickly. Where the answer lies 60 steps back the LSTM wins clearly: experiment 6 in the Experiments gallery measures 84.2% for the LSTM against 28.5% for the SimpleRNN (mean of 3 seeds).",
    paper: 'J. L. Elman: Finding Structure in Time. Cognitive Science, 1990; A. Karpathy: The Unreasonable Effectiveness of Recurrent Neural Networks, 2015',
    dataset: 'The bundled small text corpus, 64-character windows, 96 character ids (target: the window shifted by one)',
    // ~470 overlapping training windows: 15 Adam steps an epoch
    training: { loss: 'sparseCategoricalCrossentropy', optimizer: 'adam', learningRate: 0.003, batchSize: 32, epochs: 20, clipNorm: 5, dataset: 'char-lm' },
    build: (g) => charLm(g, { cell: 'SimpleRNN', vocab: 96, length: 64, embed: 32, units: 128, layers: 1 }),
  },
  {
    name: 'char-lstm',
    title: 'Character-level LSTM language model',
    family: 'language-model',
    description:
      "The same next-character model with two stacked LSTM layers, whose gated cell state can carry information and gradients over many steps once its gates have learned to hold it. Measured here it stays on a plateau and does much worse than the one-layer RNN template (held-out perplexity 19.7 against 10.9): in 20 epochs (300 Adam steps) its next-character accuracy never leaves 17.6%, the most frequent character, with or without unitForgetBias (the result's note has both runs). The task hardly asks for what an LSTM is good at, since the next character depends mostly on the last few, and two stacked layers of gates trained from scratch need more steps to leave the plateau: train both longer and compare their loss curves and samples. Where the answer lies 60 steps back the LSTM wins clearly: experiment 6 in the Experiments gallery measures 84.2% for the LSTM against 28.5% for the SimpleRNN (mean of 3 seeds).",
    paper: 'S. Hochreiter, J. Schmidhuber: Long Short-Term Memory. Neural Computation, 1997; A. Graves: Generating Sequences With Recurrent Neural Networks, arXiv:1308.0850, 2013',
    dataset: 'The bundled small text corpus, 64-character windows, 96 character ids (target: the window shifted by one)',
    training: { loss: 'sparseCategoricalCrossentropy', optimizer: 'adam', learningRate: 0.003, batchSize: 32, epochs: 20, clipNorm: 5, dataset: 'char-lm' },
    build: (g) => charLm(g, { cell: 'LSTM', vocab: 96, length: 64, embed: 32, units: 64, layers: 2 }),
  },
  {
    name: 'transformer-classifier',
    title: 'Transformer encoder classifier',
    family: 'transformer',
    description:
      'Token embeddings plus learned position embeddings go through two Transformer encoder layers (multi-head self-attention and a feed-forward net, each wrapped in a residual Add and LayerNormalization), then global average pooling and a softmax. Self-attention lets every position look at every other in one step, with no recurrence. Open an encoder layer to see the two residual paths.',
    paper: 'A. Vaswani, N. Shazeer, N. Parmar, J. Uszkoreit, L. Jones, A. N. Gomez, Ł. Kaiser, I. Polosukhin: Attention Is All You Need. NeurIPS 2017',
    dataset: 'Generated digit sequences, classified as sorted or not (32 tokens; 0 = padding, 1 = [CLS]/start, 2–11 = digits, 12 = [MASK])',
    training: { loss: 'sparseCategoricalCrossentropy', optimizer: 'adam', learningRate: 0.001, batchSize: 64, epochs: 10, dataset: 'sequence-sorted' },
    build: (g) => transformerClassifier(g, { vocab: 16, length: 32, dModel: 64, heads: 4, ff: 128, dropout: 0.1, layers: 2, classes: 2 }),
  },
  {
    name: 'bert-pretrain',
    title: 'Mini BERT: masked-token pretraining',
    family: 'transformer',
    description:
      'A small BERT: a Transformer encoder trained to recover tokens hidden behind a [MASK] token, predicting a distribution over the vocabulary at every position (the loss counts the masked positions). This needs no labels, so it can use plenty of raw sequences. Its encoder node ids equal those of the fine-tuning template, so the pretrained encoder weights carry over by id.',
    paper: 'J. Devlin, M.-W. Chang, K. Lee, K. Toutanova: BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding. NAACL 2019 (arXiv:1810.04805, 2018)',
    dataset: 'Generated digit sequences with 15% of the tokens masked (32 tokens; 0 = padding, 1 = [CLS]/start, 2–11 = digits, 12 = [MASK])',
    training: { loss: 'sparseCategoricalCrossentropy', optimizer: 'adam', learningRate: 0.0005, batchSize: 64, epochs: 10, dataset: 'sequence-masked' },
    build: (g) => bertPretrain(g, { vocab: 16, length: 32, dModel: 64, heads: 4, ff: 128, dropout: 0.1, layers: 2 }),
  },
  {
    name: 'bert-finetune',
    title: 'Mini BERT: fine-tuning head',
    family: 'transformer',
    description:
      'The pretrained mini-BERT encoder with its masked-token head replaced by a classification head (pooling, dropout, softmax). Load the weights of the pretraining template (the encoder nodes share their ids), then fine-tune on a small labelled set with a low learning rate. Compare with training the same graph from scratch on few labels to see what pretraining buys.',
    paper: 'J. Devlin, M.-W. Chang, K. Lee, K. Toutanova: BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding. NAACL 2019 (arXiv:1810.04805, 2018)',
    dataset: 'Generated digit sequences, classified as sorted or not (32 tokens; same vocabulary as the pretraining template)',
    training: { loss: 'sparseCategoricalCrossentropy', optimizer: 'adam', learningRate: 0.0001, batchSize: 32, epochs: 5, dataset: 'sequence-sorted' },
    build: (g) => bertFinetune(g, { vocab: 16, length: 32, dModel: 64, heads: 4, ff: 128, dropout: 0.1, layers: 2, classes: 2 }),
  },

  // ---- The torchvision zoo: modern CNNs (templates/zoo.ts holds their counts) ----
  {
    name: 'squeezenet1-1',
    title: 'SqueezeNet 1.1',
    family: 'squeezenet',
    description:
      'SqueezeNet 1.1 as in torchvision: a 3×3 stride-2 stem, eight fire modules with ceil-mode max pools after the stem and after the 2nd and 4th module, and a 1×1 convolution to the 1000 classes that is averaged over the image. A fire module squeezes the channels with 1×1 filters, then expands them again with 1×1 and 3×3 filters side by side; that and the missing dense layers give AlexNet-level accuracy with 1.2 M parameters, 50 times fewer. Open a fire module to see the squeeze and the two concatenated expands.',
    paper:
      'F. N. Iandola, S. Han, M. W. Moskewicz, K. Ashraf, W. J. Dally, K. Keutzer: SqueezeNet: AlexNet-level accuracy with 50x fewer parameters and <0.5MB model size. arXiv:1602.07360, 2016; version 1.1 from the authors\' repository (2016)',
    dataset: IMAGENET,
    // The paper's solver: SGD from 0.04 with a linear decay, 170k iterations of 512 images (~68
    // epochs); the app's schedules are constant and cosine, and cosine is the nearer.
    training: { ...imagenetTraining(0.04, 68, 512), lrSchedule: 'cosine' },
    build: (g) => squeezenet11(g, { input: [224, 224, 3], classes: 1000 }),
  },
  {
    name: 'shufflenet-v2-x1-0',
    title: 'ShuffleNetV2 1.0×',
    family: 'shufflenet',
    description:
      'ShuffleNetV2 1.0× as in torchvision: a 3×3 stride-2 stem and max pool, three stages of 4, 8 and 4 units (116, 232 and 464 channels), a 1×1 convolution to 1024 and the classifier. Each unit splits its channels in half, passes one half by and sends the other through 1×1, depthwise 3×3 and 1×1 convolutions, concatenates the two and shuffles the channels so the halves mix in the next unit; the first unit of a stage instead runs both halves as branches over the whole input at stride 2. It was designed for speed measured on devices rather than for FLOPs: equal channel widths, no grouped 1×1 convolutions, few element-wise operations.',
    paper: 'N. Ma, X. Zhang, H.-T. Zheng, J. Sun: ShuffleNet V2: Practical Guidelines for Efficient CNN Architecture Design. ECCV 2018 (arXiv:1807.11164)',
    dataset: IMAGENET,
    // As ShuffleNet (v1), which V2 follows: batch 1024, from 0.5 with a linear decay, 300k
    // iterations (~240 epochs); cosine is the nearer of the app's schedules.
    training: { ...imagenetTraining(0.5, 240, 1024), lrSchedule: 'cosine' },
    build: (g) => shufflenetV2(g, { input: [224, 224, 3], classes: 1000, repeats: [4, 8, 4], widths: [24, 116, 232, 464, 1024] }),
  },
  {
    name: 'resnext50-32x4d',
    title: 'ResNeXt-50 (32×4d)',
    family: 'resnext',
    description:
      'ResNeXt-50 32×4d as in torchvision: ResNet-50\'s layout (3, 4, 6, 3 bottlenecks) with the 3×3 convolution of each bottleneck split into 32 groups of 4 channels at the first stage, and the bottleneck twice as wide as ResNet-50\'s. The groups are 32 parallel paths of the same shape, aggregated by the following 1×1 convolution; at the same parameter count and MACs as ResNet-50 this "cardinality" buys more accuracy than depth or width would. Open a bottleneck and compare its conv2 with ResNet-50\'s: same parameters per block, four times the channels seen by the 1×1s.',
    paper: 'S. Xie, R. Girshick, P. Dollár, Z. Tu, K. He: Aggregated Residual Transformations for Deep Neural Networks. CVPR 2017 (arXiv:1611.05431, 2016)',
    dataset: IMAGENET,
    training: imagenetTraining(0.1, 90),
    build: (g) => resnet(g, { input: [224, 224, 3], classes: 1000, ...RESNET_CFG.resnet50, widths: [64, 128, 256, 512], stem: 'imagenet', groups: 32, widthPerGroup: 4 }),
  },
  {
    name: 'regnet-y-400mf',
    title: 'RegNetY-400MF',
    family: 'regnet',
    description:
      'RegNetY-400MF as in torchvision: a 3×3 stride-2 stem, four stages of 1, 3, 6 and 6 residual bottlenecks (48, 104, 208 and 440 channels) and the classifier. Each block is a 1×1 convolution, a grouped 3×3 with 8 channels per group, a squeeze-and-excitation gate (a global average, two 1×1 convolutions and a sigmoid that rescales every channel) and a 1×1 projection, each with batch norm. The widths and depths are not hand-picked: they come from a simple linear rule found by searching a space of network designs, which is what RegNet teaches.',
    paper:
      'I. Radosavovic, R. P. Kosaraju, R. Girshick, K. He, P. Dollár: Designing Network Design Spaces. CVPR 2020 (arXiv:2003.13678); squeeze-and-excitation from J. Hu, L. Shen, G. Sun: Squeeze-and-Excitation Networks. CVPR 2018',
    dataset: IMAGENET,
    // The paper: batch 1024, from 0.8 with a cosine decay, 100 epochs (5·10⁻⁵ weight decay).
    training: { ...imagenetTraining(0.8, 100, 1024), lrSchedule: 'cosine' },
    build: (g) => regnetY(g, { input: [224, 224, 3], classes: 1000, stem: 32, depths: [1, 3, 6, 6], widths: [48, 104, 208, 440], groupWidth: 8, seRatio: 0.25 }),
  },
  {
    name: 'densenet121',
    title: 'DenseNet-121',
    family: 'densenet',
    description:
      'DenseNet-121 as in torchvision: a 7×7 stride-2 stem and max pool, four dense blocks of 6, 12, 24 and 16 layers joined by transitions (1×1 convolution halving the channels, 2×2 average pool), then batch norm, ReLU, global average pooling and the classifier. Every dense layer (batch norm, ReLU, 1×1 to 128, batch norm, ReLU, 3×3 to 32) concatenates its 32 new channels onto everything before it, so each layer sees the features of all earlier layers of its block. This reuse keeps the layers narrow and the model at 8 M parameters; watch the channel count grow by 32 per layer and fall by half at each transition.',
    paper: 'G. Huang, Z. Liu, L. van der Maaten, K. Q. Weinberger: Densely Connected Convolutional Networks. CVPR 2017 (arXiv:1608.06993, 2016)',
    dataset: IMAGENET,
    training: imagenetTraining(0.1, 90),
    build: (g) => densenet(g, { input: [224, 224, 3], classes: 1000, growth: 32, blocks: [6, 12, 24, 16], initFeatures: 64, bnSize: 4 }),
  },
  // ---- torchvision zoo: GoogLeNet, ConvNeXt, ViT (templates/lib/zooModern.ts) ----
  {
    name: 'googlenet',
    title: 'GoogLeNet (Inception v1)',
    family: 'inception',
    description:
      'GoogLeNet as torchvision builds it, without the two auxiliary classifiers (they only train): a 7×7 stem, then nine inception modules in three groups with ceil-mode max pooling between them, global average pooling, dropout and one classifier layer. Each inception module runs a 1×1, a 3×3, a second 3×3 (torchvision\'s stand-in for the paper\'s 5×5) and a max-pool branch side by side and concatenates them; the 1×1 convolutions in front of the larger kernels cut the channels first, which is how 22 layers fit in 6.6 M parameters. Open a module to see the four branches.',
    paper: 'C. Szegedy, W. Liu, Y. Jia, P. Sermanet, S. Reed, D. Anguelov, D. Erhan, V. Vanhoucke, A. Rabinovich: Going Deeper with Convolutions. CVPR 2015 (arXiv:1409.4842, 2014)',
    dataset: IMAGENET,
    training: imagenetTraining(0.01, 90),
    build: (g) => googlenet(g, { classes: 1000 }),
  },
  {
    name: 'convnext-tiny',
    title: 'ConvNeXt-T',
    family: 'convnext',
    description:
      'ConvNeXt-Tiny as in torchvision: a 4×4 stride-4 "patchify" stem, four stages of 3, 3, 9 and 3 ConvNeXt blocks (96, 192, 384, 768 channels) with a LayerNorm + 2×2 stride-2 convolution between stages, then global average pooling, LayerNorm and the classifier. A block is a 7×7 depthwise convolution, LayerNorm over the channels, an inverted MLP (4× wider, GELU) as two 1×1 layers, a layer scale that starts at 1e-6 and stochastic depth, added back to its input. It is a ResNet modernised step by step with the Vision Transformer\'s design choices; compare its block with the ViT encoder block.',
    paper: 'Z. Liu, H. Mao, C.-Y. Wu, C. Feichtenhofer, T. Darrell, S. Xie: A ConvNet for the 2020s. CVPR 2022 (arXiv:2201.03545)',
    dataset: IMAGENET,
    training: { loss: 'sparseCategoricalCrossentropy', optimizer: 'adam', learningRate: 0.004, batchSize: 4096, epochs: 300, dataset: 'imagenet' },
    build: (g) => convnext(g, { classes: 1000, depths: [3, 3, 9, 3], dims: [96, 192, 384, 768], stochasticDepth: 0.1 }),
  },
  {
    name: 'vit-b-16',
    title: 'ViT-B/16 (Vision Transformer)',
    family: 'vit',
    description:
      'ViT-Base with 16×16 patches as in torchvision: a 16×16 stride-16 convolution cuts the 224×224 image into 196 patch embeddings of 768 features, a learned class token is put in front and learned position embeddings added, then 12 pre-norm transformer encoder blocks (12-head self-attention and a 3072-unit GELU MLP, each inside a residual add), a final LayerNorm, and the classifier reads the class token\'s output. No convolutional prior beyond the patch cut: the model learns where things are from the position embeddings, which is why it needs far more data than a CNN.',
    paper: 'A. Dosovitskiy, L. Beyer, A. Kolesnikov, D. Weissenborn, X. Zhai, T. Unterthiner, M. Dehghani, M. Minderer, G. Heigold, S. Gelly, J. Uszkoreit, N. Houlsby: An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale. ICLR 2021 (arXiv:2010.11929)',
    dataset: IMAGENET,
    training: { loss: 'sparseCategoricalCrossentropy', optimizer: 'adam', learningRate: 0.003, batchSize: 4096, epochs: 300, dataset: 'imagenet' },
    build: (g) => vit(g, { input: [224, 224, 3], classes: 1000, patch: 16, dim: 768, heads: 12, mlp: 3072, layers: 12, dropout: 0 }),
  },
  {
    name: 'vit-mini',
    title: 'ViT mini (Fashion-MNIST)',
    family: 'vit',
    description:
      'A Vision Transformer for 28×28 images built from the same pieces as ViT-B/16: a 7×7 stride-7 convolution cuts the image into 16 patch embeddings of 64 features, a class token and position embeddings are added, two pre-norm encoder blocks (4 heads, MLP 128) follow, and the classifier reads the class token. With no convolutional prior and little data it trails a small CNN of the same size; watch how the validation accuracy lags the training accuracy.',
    paper: 'After A. Dosovitskiy et al.: An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale. ICLR 2021 (arXiv:2010.11929)',
    dataset: 'Fashion-MNIST (28×28 grey, 10 classes; bundled). The training config uses 4,000 of its 70,000 images (attention trains slowly on a CPU); clear the limit to train on all of them',
    training: { ...smallImageTraining('fashion-mnist', 4), limit: 4000 },
    build: (g) => vit(g, { input: [28, 28, 1], classes: 10, patch: 7, dim: 64, heads: 4, mlp: 128, layers: 2, dropout: 0.1 }),
  },
];

/** Builds one template's graph document. */
export function buildTemplate(t: TemplateSpec): TemplateDoc {
  const g = new MacroHost();
  t.build(g);
  layout(g.nodes, g.edges);
  const macros = Object.keys(g.macros).length ? { macros: g.macros } : {};
  const meta: TemplateMeta = {
    title: t.title,
    description: t.description,
    paper: t.paper,
    dataset: t.dataset,
    result: RESULTS[t.name] ?? null,
    resultNote: RESULTS[t.name]
      ? `measured with: ${RESULTS[t.name]!.command}`
      : t.training.dataset && !DATASETS.some((d) => d.name === t.training.dataset)
        ? NOT_BUNDLED(t.training.dataset)
        : NOT_MEASURED,
    family: t.family,
  };
  return { format: 'neural-blocks.graph', version: 1, name: t.title, meta, training: t.training, nodes: g.nodes, edges: g.edges, ...macros };
}

export function buildAll(): { name: string; doc: TemplateDoc }[] {
  return TEMPLATES.map((t) => ({ name: t.name, doc: buildTemplate(t) }));
}
