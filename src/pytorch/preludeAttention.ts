// Part of the model.py prelude (prelude.ts): the Keras attention layers (dot-product, additive,
// multi-head), positional and class-token embeddings, LayerScale, sine encoding and Sampling.
export const PRELUDE_ATTENTION = String.raw`# --- attention --------------------------------------------------------------------------------
def causal_mask(tq, tv, device):
    # Keras adds −1e9 to the scores of keys after the query position.
    return torch.triu(torch.full((tq, tv), -1e9, device=device), diagonal=1)


class Attention(nn.Module):
    """Keras Attention (Luong): dot scores (× a learned scalar scale) or concat scores
    (Σ tanh(scale · (q + k)) × a learned scalar); softmax; weights · value."""

    def __init__(self, use_scale, score_mode, causal, dropout):
        super().__init__()
        self.score_mode, self.causal, self.dropout = score_mode, causal, dropout
        self.scale = nn.Parameter(torch.ones(())) if use_scale else None
        self.concat_score_weight = nn.Parameter(torch.ones(())) if score_mode == "concat" else None

    def forward(self, query, value, key=None):
        key = value if key is None else key
        if self.score_mode == "dot":
            scores = query @ key.transpose(1, 2)
            if self.scale is not None:
                scores = scores * self.scale
        else:
            s = query.unsqueeze(2) + key.unsqueeze(1)
            if self.scale is not None:
                s = s * self.scale
            scores = torch.tanh(s).sum(-1) * self.concat_score_weight
        if self.causal:
            scores = scores + causal_mask(scores.shape[1], scores.shape[2], scores.device)
        weights = F.softmax(scores, dim=-1)
        used = F.dropout(weights, self.dropout, self.training) if self.dropout > 0 else weights
        return used @ value, weights


class AdditiveAttention(nn.Module):
    """Keras AdditiveAttention (Bahdanau): scores = Σ scale · tanh(q + k) over features."""

    def __init__(self, dim, use_scale, causal, dropout):
        super().__init__()
        self.causal, self.dropout = causal, dropout
        self.scale = nn.Parameter(torch.ones(dim)) if use_scale else None

    def forward(self, query, value, key=None):
        key = value if key is None else key
        t = torch.tanh(query.unsqueeze(2) + key.unsqueeze(1))
        scores = (t * self.scale if self.scale is not None else t).sum(-1)
        if self.causal:
            scores = scores + causal_mask(scores.shape[1], scores.shape[2], scores.device)
        weights = F.softmax(scores, dim=-1)
        used = F.dropout(weights, self.dropout, self.training) if self.dropout > 0 else weights
        return used @ value, weights


class MultiHeadAttention(nn.Module):
    """Keras MultiHeadAttention: per-head projections (nn.Linear, heads·dim outputs), the query
    scaled by 1/√keyDim, optional causal mask, heads concatenated and projected."""

    def __init__(self, dq, dk, dv, heads, key_dim, value_dim, out_dim, bias, causal, dropout):
        super().__init__()
        self.heads, self.key_dim, self.value_dim, self.causal, self.dropout = heads, key_dim, value_dim, causal, dropout
        self.query = nn.Linear(dq, heads * key_dim, bias=bias)
        self.key = nn.Linear(dk, heads * key_dim, bias=bias)
        self.value = nn.Linear(dv, heads * value_dim, bias=bias)
        self.output = nn.Linear(heads * value_dim, out_dim, bias=bias)

    def split(self, x, dim):
        b, t, _ = x.shape
        return x.reshape(b, t, self.heads, dim).transpose(1, 2)

    def forward(self, query, value, key=None):
        key = value if key is None else key
        q = self.split(self.query(query), self.key_dim) * (1.0 / math.sqrt(self.key_dim))
        k = self.split(self.key(key), self.key_dim)
        v = self.split(self.value(value), self.value_dim)
        scores = q @ k.transpose(2, 3)
        if self.causal:
            scores = scores + causal_mask(scores.shape[2], scores.shape[3], scores.device)
        weights = F.softmax(scores, dim=-1)
        used = F.dropout(weights, self.dropout, self.training) if self.dropout > 0 else weights
        o = (used @ v).transpose(1, 2)
        return self.output(o.reshape(o.shape[0], o.shape[1], -1)), weights


class PositionalEmbedding(nn.Module):
    """Adds a learned embedding per position (the first T rows of a [maxLength, D] table)."""

    def __init__(self, max_length, dim):
        super().__init__()
        self.embeddings = nn.Parameter(torch.zeros(max_length, dim))

    def forward(self, x):
        return x + self.embeddings[: x.shape[1]]


class LayerScale(nn.Module):
    """Multiplies the last (channel) axis by a learned vector (ConvNeXt's layer scale)."""

    def __init__(self, dim, init_value):
        super().__init__()
        self.gamma = nn.Parameter(torch.full((dim,), float(init_value)))

    def forward(self, x):
        return x * self.gamma


class ClassToken(nn.Module):
    """Prepends a learned [D] token to a [B, T, D] sequence (ViT's class token)."""

    def __init__(self, dim):
        super().__init__()
        self.token = nn.Parameter(torch.zeros(1, 1, dim))

    def forward(self, x):
        return torch.cat([self.token.expand(x.shape[0], -1, -1), x], dim=1)


class SinePositionEncoding(nn.Module):
    """Adds the fixed sin/cos encoding: pair (2i, 2i+1) uses timescale maxWavelength^(−2i/D)."""

    def __init__(self, max_wavelength):
        super().__init__()
        self.max_wavelength = max_wavelength

    def forward(self, x):
        t, d = x.shape[1], x.shape[2]
        j = torch.arange(d, device=x.device)
        timescale = torch.pow(torch.tensor(1.0 / self.max_wavelength, dtype=torch.float64), (2 * (j // 2)).double() / d).float()
        angle = torch.arange(t, device=x.device, dtype=torch.float32)[:, None] * timescale[None, :]
        enc = torch.where(j % 2 == 0, torch.sin(angle), torch.cos(angle))
        return x + enc


class Sampling(nn.Module):
    """VAE reparameterisation: mean at eval; mean + exp(logVar / 2)·ε in training, where it also
    stores klWeight · KL(N(mean, var) ‖ N(0, 1)) (batch mean) in self.kl for the training loss."""

    def __init__(self, kl_weight):
        super().__init__()
        self.kl_weight = kl_weight
        self.kl = None

    def forward(self, mean, log_var):
        if not self.training:
            self.kl = None
            return mean
        terms = 1 + log_var - mean * mean - torch.exp(log_var)
        self.kl = self.kl_weight * (-0.5 * terms.reshape(terms.shape[0], -1).sum(1).mean())
        return mean + torch.exp(0.5 * log_var) * torch.randn_like(mean)


`;
