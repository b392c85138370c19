"""Exports everyday hand-written torch.nn models to ONNX for src/import/torchnn.test.ts and
scripts/import-nn-table.ts: a Conv1d + GRU time-series classifier, a ConvTranspose2d
autoencoder (and output_padding variants), an LSTM encoder-decoder whose decoder starts from
the encoder's (h, c) with dot-product attention, and LSTM / GRU variants (bidirectional,
batch_first or time-major, two layers, initial states from another recurrent layer).

Usage: python3 torch_nn_models.py OUT_DIR OPSET [NAMES...]
Random weights, eval mode, torch.onnx.export through torch_models.export (batch axis dynamic).
Writes OUT_DIR/<name>_o<OPSET>.onnx and prints one JSON line per model: its input shapes, the
batch axis of each input (1 for time-major inputs) and of the output, torch's trainable
parameter count, and the LSTM / RNN biases the import sums (b_ih + b_hh → one bias per gate).
"""
import json
import sys

import torch
import torch.nn as nn

from torch_models import export


class ConvGru(nn.Module):
    """Conv1d over [N, C, L] sensor channels, then a batch-first GRU on the last step."""

    def __init__(self, channels=4, classes=3):
        super().__init__()
        self.c1 = nn.Conv1d(channels, 8, 3, padding=1)
        self.c2 = nn.Conv1d(8, 12, 5, stride=2, padding=2)
        self.c3 = nn.Conv1d(12, 12, 3, dilation=2, groups=3)
        self.gru = nn.GRU(12, 16, batch_first=True)
        self.head = nn.Linear(16, classes)

    def forward(self, x):
        y = torch.relu(self.c2(torch.relu(self.c1(x))))
        y = torch.tanh(self.c3(y)).permute(0, 2, 1)
        out, _ = self.gru(y)
        return self.head(out[:, -1])


class SeqConv(nn.Module):
    """[N, L, C] features transposed for a Conv1d and back: the GRU reads the conv's output."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(6, 10, 3)
        self.gru = nn.GRU(10, 8, batch_first=True)
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        y = torch.relu(self.conv(x.transpose(1, 2))).transpose(1, 2)
        _, h = self.gru(y)
        return self.head(h[-1])


class Conv1dPool(nn.Module):
    """A 1-D CNN classifier: Conv1d, ReLU, BatchNorm1d (not folded: after the ReLU), MaxPool1d,
    a residual Conv1d branch and a concatenation of channels, AvgPool1d, the mean over the steps."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv1d(3, 8, 5, padding=2)
        self.bn = nn.BatchNorm1d(8)
        self.res = nn.Conv1d(8, 8, 3, padding=1)
        self.c2 = nn.Conv1d(8, 6, 3)
        self.c3 = nn.Conv1d(8, 4, 3)
        self.head = nn.Linear(10, 2)

    def forward(self, x):
        y = nn.functional.max_pool1d(self.bn(torch.relu(self.c1(x))), 2)
        y = y + torch.relu(self.res(y))
        y = torch.cat([torch.relu(self.c2(y)), self.c3(y)], dim=1)
        y = nn.functional.avg_pool1d(y, 3, stride=2)
        return self.head(y.mean(dim=2))


class AutoEncoder(nn.Module):
    """Conv2d stride-2 encoder, ConvTranspose2d stride-2 decoder (output_padding 1, kernel 4)."""

    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU(), nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU())
        self.dec = nn.Sequential(
            nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1),
            nn.ReLU(),
            nn.ConvTranspose2d(8, 1, 4, stride=2, padding=1),
            nn.Sigmoid(),
        )

    def forward(self, x):
        return self.dec(self.enc(x))


class Deconvs(nn.Module):
    """ConvTranspose2d variants: kernel = stride, non-square strides with output_padding,
    kernel < stride, no bias."""

    def __init__(self):
        super().__init__()
        self.a = nn.ConvTranspose2d(3, 4, 2, stride=2)
        self.b = nn.ConvTranspose2d(4, 5, (3, 5), stride=(2, 3), padding=(1, 2), output_padding=(1, 2))
        self.c = nn.ConvTranspose2d(5, 2, 1, stride=2, bias=False)
        self.d = nn.ConvTranspose2d(2, 3, 5, stride=1, padding=2)

    def forward(self, x):
        return self.d(torch.relu(self.c(self.b(torch.relu(self.a(x))))))


class DeconvExtraRow(nn.Module):
    """output_padding 1 beyond the kernel's reach (padding 0): the extra row holds only the bias."""

    def __init__(self):
        super().__init__()
        self.t = nn.ConvTranspose2d(2, 3, 3, stride=2, output_padding=1)

    def forward(self, x):
        return self.t(x)


class Seq2SeqAttention(nn.Module):
    """LSTM encoder; LSTM decoder from the encoder's final (h, c); dot-product attention of the
    decoder steps over the encoder steps; a Linear on [context, decoder output]."""

    def __init__(self, features=5, hidden=16, classes=4):
        super().__init__()
        self.encoder = nn.LSTM(features, hidden, batch_first=True)
        self.decoder = nn.LSTM(features, hidden, batch_first=True)
        self.out = nn.Linear(2 * hidden, classes)

    def forward(self, src, tgt):
        enc, state = self.encoder(src)
        dec, _ = self.decoder(tgt, state)
        weights = torch.softmax(torch.bmm(dec, enc.transpose(1, 2)), dim=-1)
        context = torch.bmm(weights, enc)
        return self.out(torch.cat([context, dec], dim=-1))


class Rnn(nn.Module):
    """One recurrent layer (kind, bidirectional, batch_first, layers) and a Linear on its output
    sequence and on its last layer's final state."""

    def __init__(self, kind, bidirectional=False, batch_first=True, layers=1, features=6, hidden=8):
        super().__init__()
        self.rnn = getattr(nn, kind)(features, hidden, num_layers=layers, batch_first=batch_first, bidirectional=bidirectional)
        d = 2 if bidirectional else 1
        self.per_step = nn.Linear(d * hidden, 3)
        self.head = nn.Linear(d * hidden, 3)
        self.d = d
        self.batch_first = batch_first

    def forward(self, x):
        y, state = self.rnn(x)
        h = state[0] if isinstance(state, tuple) else state
        last = torch.cat([h[-2], h[-1]], dim=1) if self.d == 2 else h[-1]
        steps = y.mean(dim=1 if self.batch_first else 0)
        return self.per_step(steps) + self.head(last)


class TimeMajorSeq(nn.Module):
    """A time-major GRU whose output sequence [T, N, H] is the model's output."""

    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(6, 5)

    def forward(self, x):
        return self.gru(x)[0]


class EncDec(nn.Module):
    """An encoder whose final state starts a decoder of the same kind, shape and depth."""

    def __init__(self, kind, bidirectional=False, batch_first=True, layers=1, features=6, hidden=8):
        super().__init__()
        make = getattr(nn, kind)
        self.encoder = make(features, hidden, num_layers=layers, batch_first=batch_first, bidirectional=bidirectional)
        self.decoder = make(features, hidden, num_layers=layers, batch_first=batch_first, bidirectional=bidirectional)
        self.head = nn.Linear((2 if bidirectional else 1) * hidden, 3)

    def forward(self, src, tgt):
        _, state = self.encoder(src)
        y, _ = self.decoder(tgt, state)
        return self.head(y)


class RnnFromSummary(nn.Module):
    """nn.RNN (ReLU) whose initial state is a Linear of the mean input, unsqueezed to [1, N, H]."""

    def __init__(self):
        super().__init__()
        self.init = nn.Linear(6, 8)
        self.rnn = nn.RNN(6, 8, nonlinearity="relu", batch_first=True)
        self.head = nn.Linear(8, 3)

    def forward(self, x):
        h0 = torch.tanh(self.init(x.mean(dim=1))).unsqueeze(0)
        y, _ = self.rnn(x, h0)
        return self.head(y[:, -1])


# name → (model factory, input shapes, batch axis of the inputs, batch axis of the output)
MODELS = {
    "conv_gru": (ConvGru, [(1, 4, 20)], 0, 0),
    "seq_conv": (SeqConv, [(1, 9, 6)], 0, 0),
    "conv1d_pool": (Conv1dPool, [(1, 3, 24)], 0, 0),
    "autoencoder": (AutoEncoder, [(1, 1, 16, 16)], 0, 0),
    "deconvs": (Deconvs, [(1, 3, 5, 4)], 0, 0),
    "deconv_extra_row": (DeconvExtraRow, [(1, 2, 4, 4)], 0, 0),
    "seq2seq_attention": (Seq2SeqAttention, [(1, 7, 5), (1, 6, 5)], 0, 0),
    "lstm_bf": (lambda: Rnn("LSTM"), [(1, 7, 6)], 0, 0),
    "gru_tm": (lambda: Rnn("GRU", batch_first=False), [(7, 1, 6)], 1, 0),
    "lstm_bi_tm": (lambda: Rnn("LSTM", bidirectional=True, batch_first=False), [(7, 1, 6)], 1, 0),
    "gru_bi_bf": (lambda: Rnn("GRU", bidirectional=True), [(1, 7, 6)], 0, 0),
    "lstm_2layer": (lambda: Rnn("LSTM", layers=2), [(1, 7, 6)], 0, 0),
    "gru_bi_2layer": (lambda: Rnn("GRU", bidirectional=True, layers=2), [(1, 7, 6)], 0, 0),
    "gru_tm_seq": (TimeMajorSeq, [(7, 1, 6)], 1, 1),
    "rnn_h0_linear": (RnnFromSummary, [(1, 7, 6)], 0, 0),
    "gru_encdec": (lambda: EncDec("GRU"), [(1, 7, 6), (1, 5, 6)], 0, 0),
    "lstm_encdec_tm": (lambda: EncDec("LSTM", batch_first=False), [(7, 1, 6), (5, 1, 6)], 1, 1),
    "lstm_encdec_2layer": (lambda: EncDec("LSTM", layers=2), [(1, 7, 6), (1, 5, 6)], 0, 0),
    "gru_encdec_bi": (lambda: EncDec("GRU", bidirectional=True), [(1, 7, 6), (1, 5, 6)], 0, 0),
    "lstm_encdec_bi_2layer": (lambda: EncDec("LSTM", bidirectional=True, layers=2), [(1, 7, 6), (1, 5, 6)], 0, 0),
}


def main():
    out = sys.argv[1]
    opset = int(sys.argv[2]) if len(sys.argv) > 2 else 13
    names = sys.argv[3:] or list(MODELS)
    for name in names:
        torch.manual_seed(0)
        make, shapes, batch, out_batch = MODELS[name]
        ins = ["input"] if len(shapes) == 1 else [f"input{k}" for k in range(len(shapes))]
        path = f"{out}/{name}_o{opset}.onnx"
        model = export(make(), path, opset, shapes, ins, ["output"], {**{n: batch for n in ins}, "output": out_batch})
        params = sum(p.numel() for p in model.parameters() if p.requires_grad)
        # LSTM and SimpleRNN blocks have one bias per gate where torch has two (b_ih + b_hh,
        # summed at import); a GRU keeps both (resetAfter).
        gates = {nn.LSTM: 4, nn.RNN: 1}
        merged = sum(gates[type(m)] * m.hidden_size * m.num_layers * (2 if m.bidirectional else 1) for m in model.modules() if type(m) in gates)
        print(json.dumps({"name": name, "path": path, "inputs": [list(s) for s in shapes], "batchAxis": batch, "outputBatchAxis": out_batch, "params": params, "mergedBiases": merged}), flush=True)


if __name__ == "__main__":
    main()
