#!/usr/bin/env python3
"""The reference VAE in plain PyTorch, the yardstick vaec is benchmarked against.

The model, loss, optimiser and batching match bench/reference.vae as run by vaec:
  encoder 784-400 (relu) -> mu, log variance (20 each); z = mu + exp(0.5 * logvar) * eps;
  decoder 20-400 (relu) -> 784 logits;
  loss per example = sum over pixels of BCE-with-logits(logits, x) + analytic KL to N(0, I);
  targets are the intensities x / 255 in [0, 1] (no binarisation);
  Adam, learning rate 1e-3, batches of 128, reshuffled each epoch, last incomplete batch dropped.

The data live in memory as one tensor and each batch is a slice of a random permutation, so the
timings measure the model and not a DataLoader.
"""

import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

DATASET_DIR = "/usr/share/datasets/fashion-mnist"
TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"

PIXELS = 28 * 28
HIDDEN = 400
LATENT = 20
BATCH_SIZE = 128
LEARNING_RATE = 1e-3
IDX3_MAGIC = 0x00000803  # unsigned bytes, three dimensions


def load_idx_images(path):
    """Reads a gzipped IDX3 image file into a float32 tensor of shape (n, 784) scaled to [0, 1]."""
    if not os.path.exists(path):
        sys.exit(
            f"error: {path} not found; install Fashion-MNIST with "
            "`sudo apt-get install dataset-fashion-mnist`"
        )
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count, rows, cols = np.frombuffer(data, dtype=">u4", count=4)
    if magic != IDX3_MAGIC:
        sys.exit(f"error: {path} is not an IDX3 image file (magic {magic:#010x})")
    pixels = np.frombuffer(data, dtype=np.uint8, offset=16)
    if pixels.size != count * rows * cols:
        sys.exit(f"error: {path} is truncated")
    images = pixels.reshape(count, rows * cols).astype(np.float32) / 255.0
    return torch.from_numpy(images)


class VAE(nn.Module):
    def __init__(self, hidden=HIDDEN, latent=LATENT):
        super().__init__()
        self.encoder_hidden = nn.Linear(PIXELS, hidden)
        self.encoder_mu = nn.Linear(hidden, latent)
        self.encoder_logvar = nn.Linear(hidden, latent)
        self.decoder_hidden = nn.Linear(latent, hidden)
        self.decoder_logits = nn.Linear(hidden, PIXELS)

    def forward(self, x):
        h = F.relu(self.encoder_hidden(x))
        mu, logvar = self.encoder_mu(h), self.encoder_logvar(h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        logits = self.decoder_logits(F.relu(self.decoder_hidden(z)))
        return logits, mu, logvar


def negative_elbo_per_example(logits, x, mu, logvar):
    """The single-sample negative ELBO of each example in the batch, shape (batch,)."""
    reconstruction = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(dim=1)
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=1)
    return reconstruction + kl


def train_epoch(model, optimiser, train, generator, batch_size=BATCH_SIZE):
    """One pass over the shuffled training set; returns the mean loss per example."""
    model.train()
    order = torch.randperm(train.shape[0], generator=generator)
    batches = train.shape[0] // batch_size  # the last incomplete batch is dropped
    total = 0.0
    for b in range(batches):
        x = train[order[b * batch_size:(b + 1) * batch_size]]
        logits, mu, logvar = model(x)
        loss = negative_elbo_per_example(logits, x, mu, logvar).mean()
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        total += loss.item()
    return total / batches


@torch.no_grad()
def test_negative_elbo(model, test):
    """Mean over the test set of the per-example negative ELBO, one sample of z each."""
    model.eval()
    total = 0.0
    for start in range(0, test.shape[0], 1000):
        x = test[start:start + 1000]
        logits, mu, logvar = model(x)
        total += negative_elbo_per_example(logits, x, mu, logvar).sum().item()
    return total / test.shape[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None,
                        help="intra-op threads (default: PyTorch's own choice)")
    parser.add_argument("--json", metavar="PATH", help="write the results here as JSON")
    parser.add_argument("--batch", type=int, default=BATCH_SIZE,
                        help=f"examples per step (default {BATCH_SIZE})")
    parser.add_argument("--hidden", type=int, default=HIDDEN,
                        help=f"width of the encoder's and decoder's hidden layer (default {HIDDEN})")
    parser.add_argument("--latent", type=int, default=LATENT,
                        help=f"width of z (default {LATENT})")
    args = parser.parse_args()
    for name in ("batch", "hidden", "latent"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1, got {getattr(args, name)}")

    if args.threads is not None:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)

    train = load_idx_images(os.path.join(DATASET_DIR, TRAIN_IMAGES))
    test = load_idx_images(os.path.join(DATASET_DIR, TEST_IMAGES))

    model = VAE(args.hidden, args.latent)
    optimiser = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)

    epoch_seconds = []
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        train_loss = train_epoch(model, optimiser, train, generator, args.batch)
        seconds = time.perf_counter() - start
        epoch_seconds.append(seconds)
        print(f"epoch {epoch}: {seconds:.3f} s, training loss {train_loss:.3f}", flush=True)

    neg_elbo = test_negative_elbo(model, test)
    print(f"test negative ELBO per example: {neg_elbo:.3f}")

    if args.json:
        result = {
            "framework": "pytorch",
            "epoch_seconds": epoch_seconds,
            "test_neg_elbo": neg_elbo,
            "torch_threads": torch.get_num_threads(),
            "batch": args.batch,
            "hidden": args.hidden,
            "latent": args.latent,
        }
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
