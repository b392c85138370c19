// Sequence templates: seq2seq with attention, character language models, a Transformer encoder
// classifier and a small BERT-style model (masked-token pretraining, then a fine-tuning head).
import { port, type Ref, type Scope } from './builder';
import type { UnitHost } from './units';

// ---------------------------------------------------------------------------------------------
// seq2seq encoder–decoder LSTM with attention, trained with teacher forcing
// ---------------------------------------------------------------------------------------------

export interface Seq2SeqConfig {
  vocab: number;
  length: number;
  embed: number;
  units: number;
  attention: 'Attention' | 'AdditiveAttention';
}

export function seq2seq(g: Scope, c: Seq2SeqConfig): void {
  const src = g.add('source', 'Input', { shape: [c.length], dtype: 'int32' }, [], 'source tokens');
  // Teacher forcing: the decoder reads the target shifted right by one (start token first).
  const tgt = g.add('target_in', 'Input', { shape: [c.length], dtype: 'int32' }, [], 'shifted target tokens');
  const se = g.add('source_embedding', 'Embedding', { inputDim: c.vocab, outputDim: c.embed }, [src]);
  const enc = g.add('encoder', 'LSTM', { units: c.units, returnSequences: true, returnState: true }, [[se, 'in']]);
  const te = g.add('target_embedding', 'Embedding', { inputDim: c.vocab, outputDim: c.embed }, [tgt]);
  // The decoder starts from the encoder's final state (h, c).
  const dec = g.add('decoder', 'LSTM', { units: c.units, returnSequences: true }, [
    [te, 'in'],
    [port(enc, 'h'), 'h0'],
    [port(enc, 'c'), 'c0'],
  ]);
  // Each decoder step (query) attends over all encoder steps (value). Additive attention scores
  // v·tanh(W·s + U·h) as in Bahdanau et al.: W and U are the two bias-free Dense projections; the
  // context is still the weighted sum of the encoder outputs themselves.
  const att =
    c.attention === 'AdditiveAttention'
      ? g.add('attention', c.attention, {}, [
          [g.add('query_projection', 'Dense', { units: c.units, useBias: false }, [dec]), 'query'],
          [port(enc, 'out'), 'value'],
          [g.add('key_projection', 'Dense', { units: c.units, useBias: false }, [port(enc, 'out')]), 'key'],
        ])
      : g.add('attention', c.attention, {}, [
          [dec, 'query'],
          [port(enc, 'out'), 'value'],
        ]);
  const cat = g.add('concat', 'Concatenate', { axis: -1 }, [
    [dec, 'in0'],
    [att, 'in1'],
  ]);
  // Luong's attentional hidden state: tanh(W [context; h]).
  const hid = g.add('attentional', 'Dense', { units: c.units, activation: 'tanh' }, [cat]);
  g.add('output', 'Dense', { units: c.vocab, activation: 'softmax' }, [hid]);
}

// ---------------------------------------------------------------------------------------------
// Character-level language models
// ---------------------------------------------------------------------------------------------

export function charLm(g: Scope, c: { cell: 'SimpleRNN' | 'LSTM'; vocab: number; length: number; embed: number; units: number; layers: number }): void {
  let x = g.add('chars', 'Input', { shape: [c.length], dtype: 'int32' }, [], 'character ids');
  x = g.add('embedding', 'Embedding', { inputDim: c.vocab, outputDim: c.embed }, [x]);
  for (let i = 1; i <= c.layers; i++) x = g.add(`${c.cell === 'LSTM' ? 'lstm' : 'rnn'}${i}`, c.cell, { units: c.units, returnSequences: true }, [[x, 'in']]);
  // One distribution over the next character at every position.
  g.add('next_char', 'Dense', { units: c.vocab, activation: 'softmax' }, [x]);
}

// ---------------------------------------------------------------------------------------------
// Transformer encoder (post-norm, as in Vaswani et al. and BERT)
// ---------------------------------------------------------------------------------------------

export interface EncoderConfig {
  dModel: number;
  heads: number;
  ff: number;
  dropout: number;
}

/** Self-attention + Add + LayerNorm, then a position-wise FFN + Add + LayerNorm. */
export function encoderLayer(c: EncoderConfig, ffActivation: 'relu' | 'gelu') {
  return (s: Scope, x: Ref): Ref => {
    const att = s.add('self_attention', 'MultiHeadAttention', { numHeads: c.heads, keyDim: c.dModel / c.heads, dropout: c.dropout }, [
      [x, 'query'],
      [x, 'value'],
    ]);
    const a = s.add('add1', 'Add', {}, [
      [x, 'in0'],
      [att, 'in1'],
    ]);
    const n1 = s.add('norm1', 'LayerNormalization', { epsilon: 1e-6 }, [a]);
    const f1 = s.add('ffn1', 'Dense', { units: c.ff, activation: ffActivation }, [n1]);
    const f2 = s.add('ffn2', 'Dense', { units: c.dModel }, [f1]);
    const d = s.add('ffn_dropout', 'Dropout', { rate: c.dropout }, [f2]);
    const b = s.add('add2', 'Add', {}, [
      [n1, 'in0'],
      [d, 'in1'],
    ]);
    return s.add('norm2', 'LayerNormalization', { epsilon: 1e-6 }, [b]);
  };
}

/** Token embedding + learned position embedding, then N encoder layers. Returns the sequence. */
export function encoderStack(g: UnitHost, c: EncoderConfig & { vocab: number; length: number; layers: number; ffActivation: 'relu' | 'gelu' }): Ref {
  const tok = g.add('tokens', 'Input', { shape: [c.length], dtype: 'int32' }, [], 'token ids');
  const emb = g.add('token_embedding', 'Embedding', { inputDim: c.vocab, outputDim: c.dModel }, [tok]);
  let x = g.add('position_embedding', 'PositionalEmbedding', { maxLength: c.length, outputDim: c.dModel }, [emb]);
  for (let i = 1; i <= c.layers; i++) {
    x = g.unit(`encoder${i}`, `TransformerEncoder_${c.dModel}_${c.heads}h_${c.ff}`, `Transformer encoder layer (d=${c.dModel}, ${c.heads} heads, FFN ${c.ff})`, encoderLayer(c, c.ffActivation), x);
  }
  return x;
}

export function transformerClassifier(g: UnitHost, c: EncoderConfig & { vocab: number; length: number; layers: number; classes: number }): void {
  const x = encoderStack(g, { ...c, ffActivation: 'relu' });
  const p = g.add('pool', 'GlobalAveragePooling1D', {}, [x]);
  const d = g.add('dropout', 'Dropout', { rate: 0.1 }, [p]);
  g.add('classifier', 'Dense', { units: c.classes, activation: 'softmax' }, [d]);
}

/** BERT-style masked-token model: predicts the original token at every position. */
export function bertPretrain(g: UnitHost, c: EncoderConfig & { vocab: number; length: number; layers: number }): void {
  const x = encoderStack(g, { ...c, ffActivation: 'gelu' });
  // BERT's MLM head: a transform (dense + GELU + LayerNorm), then a softmax over the vocabulary.
  const t = g.add('mlm_transform', 'Dense', { units: c.dModel, activation: 'gelu' }, [x]);
  const n = g.add('mlm_norm', 'LayerNormalization', { epsilon: 1e-6 }, [t]);
  g.add('mlm_output', 'Dense', { units: c.vocab, activation: 'softmax' }, [n]);
}

/** The same encoder (same node ids, so pretrained weights load by id) with a classification head. */
export function bertFinetune(g: UnitHost, c: EncoderConfig & { vocab: number; length: number; layers: number; classes: number }): void {
  const x = encoderStack(g, { ...c, ffActivation: 'gelu' });
  const p = g.add('pool', 'GlobalAveragePooling1D', {}, [x]);
  const d = g.add('head_dropout', 'Dropout', { rate: 0.1 }, [p]);
  g.add('classifier', 'Dense', { units: c.classes, activation: 'softmax' }, [d]);
}
