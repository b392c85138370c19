// The templates that reproduce a torchvision model, by template name → torchvision builder name.
// zoo.test.ts checks each against torchvision itself (torchvision_ref.py): trainable parameters
// exactly, parameter shapes layer by layer, conv + linear MACs within 2%.
export const ZOO: Record<string, string> = {
  alexnet: 'alexnet',
  resnet18: 'resnet18',
  resnet50: 'resnet50',
};

/**
 * Blocks whose MACs are the conv + linear multiply-accumulates torchvision's count holds (the
 * reference counts convolutions, Linear layers and attention's q/k/v/output projections).
 */
export const MAC_TYPES = new Set(['Conv1D', 'Conv2D', 'DepthwiseConv2D', 'Dense']);
