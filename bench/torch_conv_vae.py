#!/usr/bin/env python3
"""The convolutional VAE of examples/conv_vae.vae in plain PyTorch, to compare vaec against.

Same architecture, loss, optimiser, data and batching as vaec runs it:
  encoder Conv2d(1, 32, 4, stride 2, padding 1) relu -> Conv2d(32, 64, 4, 2, 1) relu -> flatten
          -> Linear(3136, 40) -> mu, log variance (20 each); z = mu + exp(0.5 * logvar) * eps;
  decoder Linear(20, 3136) relu -> 64x7x7 -> ConvTranspose2d(64, 32, 4, 2, 1) relu
          -> ConvTranspose2d(32, 1, 4, 2, 1) -> 784 logits;
  loss per example = summed BCE-with-logits on the [0, 1] intensities + analytic KL to N(0, I);
  Adam 1e-3, batches of 128 reshuffled each epoch, the last incomplete batch dropped.
The data loading and the training loop are bench/torch_vae.py's.
"""

import argparse
import json
import os
import time

import torch
import torch.nn.functional as F
from torch import nn

from torch_vae import (BATCH_SIZE, DATASET_DIR, LATENT, LEARNING_RATE, TEST_IMAGES, TRAIN_IMAGES,
                       load_idx_images, negative_elbo_per_example)


class ConvVAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 4, stride=2, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 4, stride=2, padding=1)
        self.encoder_out = nn.Linear(64 * 7 * 7, 2 * LATENT)
        self.decoder_in = nn.Linear(LATENT, 64 * 7 * 7)
        self.deconv1 = nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1)
        self.deconv2 = nn.ConvTranspose2d(32, 1, 4, stride=2, padding=1)

    def forward(self, x):
        h = F.relu(self.conv1(x.view(-1, 1, 28, 28)))
        h = F.relu(self.conv2(h))
        mu, logvar = self.encoder_out(h.flatten(1)).chunk(2, dim=1)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        h = F.relu(self.decoder_in(z)).view(-1, 64, 7, 7)
        h = F.relu(self.deconv1(h))
        logits = self.deconv2(h).flatten(1)
        return logits, mu, logvar


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None, help="intra-op threads (default: PyTorch's own choice)")
    parser.add_argument("--json", metavar="PATH", help="write the results here as JSON")
    args = parser.parse_args()
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    train = load_idx_images(os.path.join(DATASET_DIR, TRAIN_IMAGES))
    test = load_idx_images(os.path.join(DATASET_DIR, TEST_IMAGES))
    model = ConvVAE()
    print(f"parameters: {sum(p.numel() for p in model.parameters()):,}")
    optimiser = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    epoch_seconds = []
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        model.train()
        order = torch.randperm(train.shape[0], generator=generator)
        batches = train.shape[0] // BATCH_SIZE
        total = 0.0
        for b in range(batches):
            x = train[order[b * BATCH_SIZE:(b + 1) * BATCH_SIZE]]
            logits, mu, logvar = model(x)
            loss = negative_elbo_per_example(logits, x, mu, logvar).mean()
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            total += loss.item()
        seconds = time.perf_counter() - start
        epoch_seconds.append(seconds)
        print(f"epoch {epoch}: {seconds:.3f} s, training loss {total / batches:.3f}", flush=True)
    model.eval()
    with torch.no_grad():
        neg = 0.0
        for start in range(0, test.shape[0], 1000):
            x = test[start:start + 1000]
            logits, mu, logvar = model(x)
            neg += negative_elbo_per_example(logits, x, mu, logvar).sum().item()
    neg_elbo = neg / test.shape[0]
    print(f"test negative ELBO per example: {neg_elbo:.3f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"framework": "pytorch", "epoch_seconds": epoch_seconds, "test_neg_elbo": neg_elbo,
                       "torch_threads": torch.get_num_threads()}, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
