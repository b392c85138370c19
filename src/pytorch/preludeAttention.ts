// A model.py snippet shared by the attention blocks (Attention, AdditiveAttention,
// MultiHeadAttention), which list it in their snippets' \`requires\`.
import type { PytorchSnippet } from '../core/spec';

/** Keras' additive causal mask (−1e9 above the diagonal). */
export const CAUSAL_MASK_PY: PytorchSnippet = {
  name: 'causal_mask',
  source: String.raw`def causal_mask(tq, tv, device):
    # Keras adds −1e9 to the scores of keys after the query position.
    return torch.triu(torch.full((tq, tv), -1e9, device=device), diagonal=1)
`,
};
