// PyTorch export: model.py + weights + train.py + README.md from a compiled model.
export { generatePytorch, PytorchExportError, type PytorchExport } from './generate';
export { permuteData, transpose2d, type TorchWeight } from './weights';
export { exportDataset } from './dataset';
export { writePt, zipStored } from './pt';
export { CLUSTER_SECTION } from './readme';
