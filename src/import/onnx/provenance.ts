// What the exporter did to a model before we saw it, told to the user in the import report.
// torch.onnx.export in its default (eval) mode folds each BatchNorm that follows a Conv into the
// Conv's weights and bias; the folded tensors get generated names ("onnx::Conv_193") instead of
// the module's ("layer1.0.conv1.weight"). The imported model then computes the same in inference,
// but has no BatchNormalization blocks to fine-tune, and fewer trainable parameters than torch.
import type { PModel, PNode } from './proto';

/** Conv nodes whose weight is a torch-generated initializer: a BatchNorm was folded into them. */
export function foldedBatchNormConvs(m: PModel, nodes: readonly PNode[]): PNode[] {
  if (!/pytorch/i.test(m.producer_name ?? '')) return [];
  const inits = new Set((m.graph?.initializer ?? []).map((t) => t.name));
  return nodes.filter((n) => n.op_type === 'Conv' && !n.domain && (n.input ?? []).length >= 3 && /^onnx::Conv_\d+$/.test(n.input![1]!) && inits.has(n.input![1]!));
}

/** The report's note on folded BatchNorms, or undefined when there were none. */
export function foldedBatchNormNote(m: PModel, nodes: readonly PNode[]): string | undefined {
  const folded = foldedBatchNormConvs(m, nodes);
  if (!folded.length) return undefined;
  const convs = nodes.filter((n) => n.op_type === 'Conv').length;
  return (
    `${folded.length} of ${convs} Conv ops have a BatchNorm folded into their weights by torch.onnx.export (weights named like "${folded[0]!.input![1]}"): ` +
    'the imported model computes the same in inference, but those BatchNorm layers are gone (no BatchNormalization blocks, fewer trainable parameters than in torch, and fine-tuning trains without them). ' +
    'To keep them, export with torch.onnx.export(model.eval(), …, training=torch.onnx.TrainingMode.PRESERVE)'
  );
}
