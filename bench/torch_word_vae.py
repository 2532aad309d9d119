#!/usr/bin/env python3
"""examples/word_vae.vae in plain PyTorch: the same words, architecture, loss and settings.

Data: /usr/share/dict/words (wamerican), lowercase a-z words of at most 11 letters, de-duplicated
in file order, shuffled with Java's java.util.Random(13) exactly as vaec's english_words does
(Collections.shuffle), the first 500 for testing and the next 4,000 for training. Token ids:
0 padding, 1 begin, 2 end, 3 unknown, then the letters by descending training frequency (ties
alphabetical), each word followed by the end token and padded to 12.

Model (PyTorch's GRU cell equations, as vaec's GRU family):
  encoder: embedding 30x16, GRU 64, state after the last non-padding position -> linear 32 ->
           mu, log variance (16 each);
  decoder: h0 = tanh(linear(z)); input at step t is the embedding of token t-1 (begin token first,
           teacher forcing) and z (feed = both); linear 64 -> 30 logits per position;
  loss per word = masked cross-entropy over the positions up to and including the end token +
           analytic KL to N(0, I). Adam 1e-3, batches of 128 reshuffled each epoch, last
           incomplete batch dropped. Options mirror vaec's: --free-bits (on the batch-mean KL),
           --warmup-epochs (linear KL weight from 0), --word-dropout.
Prints the test -ELBO after each epoch and the median seconds per epoch, as JSON at the end.
"""

import argparse
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

WORDS_FILE = "/usr/share/dict/words"
LENGTH, VOCAB, EMBED, HIDDEN, LATENT = 12, 30, 16, 64, 16
PAD, BOS, EOS, UNK = 0, 1, 2, 3
TEST, TRAIN = 500, 4000


class JavaRandom:
    """java.util.Random, enough of it for Collections.shuffle."""

    def __init__(self, seed):
        self.seed = (seed ^ 0x5DEECE66D) & ((1 << 48) - 1)

    def next(self, bits):
        self.seed = (self.seed * 0x5DEECE66D + 0xB) & ((1 << 48) - 1)
        r = self.seed >> (48 - bits)
        return r - (1 << 32) if r & (1 << 31) else r

    def next_int(self, bound):
        if bound & (-bound) == bound:
            return (bound * self.next(31)) >> 31
        while True:
            bits = self.next(31)
            val = bits % bound
            if bits - val + (bound - 1) < (1 << 31):
                return val


def english_words():
    try:
        lines = open(WORDS_FILE, encoding="utf-8").read().split("\n")
    except OSError:
        sys.exit(f"error: {WORDS_FILE} is missing: sudo apt-get install wamerican")
    seen, words = set(), []
    for w in lines:
        if w and all("a" <= c <= "z" for c in w) and len(w) <= LENGTH - 1 and w not in seen:
            seen.add(w)
            words.append(w)
    rnd = JavaRandom(13)
    for i in range(len(words), 1, -1):
        j = rnd.next_int(i)
        words[i - 1], words[j] = words[j], words[i - 1]
    return words[TEST:TEST + TRAIN], words[:TEST]


def encode(words, vocab):
    ids = torch.zeros(len(words), LENGTH, dtype=torch.long)
    for r, w in enumerate(words):
        for t, c in enumerate(w):
            ids[r, t] = vocab.get(c, UNK)
        ids[r, len(w)] = EOS
    return ids


class WordVae(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc_embed = nn.Embedding(VOCAB, EMBED)
        self.enc = nn.GRUCell(EMBED, HIDDEN)
        self.enc_out = nn.Linear(HIDDEN, 2 * LATENT)
        self.dec_embed = nn.Embedding(VOCAB, EMBED)
        self.init = nn.Linear(LATENT, HIDDEN)
        self.dec = nn.GRUCell(EMBED + LATENT, HIDDEN)
        self.dec_out = nn.Linear(HIDDEN, VOCAB)

    def forward(self, ids, word_dropout=0.0, kl_weight=1.0, free_bits=0.0):
        mask = (ids != PAD).float()
        h = torch.zeros(ids.shape[0], HIDDEN)
        e = self.enc_embed(ids)
        for t in range(LENGTH):
            m = mask[:, t:t + 1]
            h = h + m * (self.enc(e[:, t], h) - h)
        mu, log_var = self.enc_out(h).chunk(2, dim=1)
        z = mu + torch.exp(0.5 * log_var) * torch.randn_like(mu)
        inp = torch.cat([torch.full((ids.shape[0], 1), BOS, dtype=torch.long), ids[:, :-1]], dim=1)
        if word_dropout > 0 and self.training:
            drop = (torch.rand(inp.shape) < word_dropout) & (inp != PAD)
            drop[:, 0] = False
            inp = torch.where(drop, torch.full_like(inp, UNK), inp)
        d = self.dec_embed(inp)
        h = torch.tanh(self.init(z))
        rec = torch.zeros(ids.shape[0])
        for t in range(LENGTH):
            h = self.dec(torch.cat([d[:, t], z], dim=1), h)
            lp = F.log_softmax(self.dec_out(h), dim=1).gather(1, ids[:, t:t + 1]).squeeze(1)
            rec = rec - mask[:, t] * lp
        kl = 0.5 * (mu.pow(2) + log_var.exp() - 1 - log_var).sum(1)
        kl_trained = torch.clamp(kl.mean(), min=free_bits) if free_bits > 0 else kl.mean()
        loss = rec.mean() + kl_weight * kl_trained
        return loss, (rec + kl).mean().item(), kl.mean().item()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--free-bits", type=float, default=0.0)
    ap.add_argument("--warmup-epochs", type=float, default=0.0)
    ap.add_argument("--word-dropout", type=float, default=0.0)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    train_words, test_words = english_words()
    counts = {}
    for w in train_words:
        for c in w:
            counts[c] = counts.get(c, 0) + 1
    vocab = {c: 4 + i for i, c in enumerate(sorted(counts, key=lambda c: (-counts[c], c)))}
    train, test = encode(train_words, vocab), encode(test_words, vocab)
    model = WordVae()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    steps_per_epoch = len(train) // 128
    step, times, history = 0, [], []
    for epoch in range(a.epochs):
        model.train()
        t0 = time.perf_counter()
        perm = torch.randperm(len(train))
        for b in range(steps_per_epoch):
            batch = train[perm[b * 128:(b + 1) * 128]]
            w = min(1.0, step / (a.warmup_epochs * steps_per_epoch)) if a.warmup_epochs > 0 else 1.0
            loss, _, _ = model(batch, a.word_dropout, w, a.free_bits)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
        times.append(time.perf_counter() - t0)
        model.eval()
        with torch.no_grad():
            _, neg_elbo, kl = model(test)
        history.append(neg_elbo)
        print(f"epoch {epoch + 1:3d}  test -ELBO {neg_elbo:8.3f}  KL {kl:6.3f}  {times[-1]:.2f} s", flush=True)
    print(json.dumps({"test_neg_elbo": history[-1], "test_kl": kl, "median_epoch_seconds": statistics.median(times)}))


if __name__ == "__main__":
    main()
