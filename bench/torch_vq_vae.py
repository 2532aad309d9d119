#!/usr/bin/env python3
"""The VQ-VAEs of examples/vq_vae.vae and examples/vq_vae_mlp.vae in plain PyTorch, to compare vaec against.

Same architecture, loss, optimiser, data and batching as vaec runs them:
  --model conv (examples/vq_vae.vae):
    encoder Conv2d(1, 32, 4, 2, 1) relu -> Conv2d(32, 64, 4, 2, 1) relu -> Res -> Res relu
            -> Conv2d(64, 16, 1) = z_e, 16 x 7 x 7 (49 positions of width 16);
    decoder Conv2d(16, 64, 3, padding 1) relu -> Res -> Res relu -> ConvTranspose2d(64, 32, 4, 2, 1) relu
            -> ConvTranspose2d(32, 1, 4, 2, 1) -> 784 logits;
    Res(x) = x + Conv2d(32, 64, 1)(relu(Conv2d(64, 32, 3, padding 1)(relu(x)))) (no activation
    between the two blocks, one after the stack, as vaec's Conv network places them);
    K = 512 codes, dead codes restarted after 20 unused steps.
  --model mlp (examples/vq_vae_mlp.vae):
    encoder Linear(784, 400) relu -> Linear(400, 512) = z_e (32 positions of width 16, channels first);
    decoder Linear(512, 400) relu -> Linear(400, 784) logits; K = 256, no restarts.
  Both: the codebook K x D starts uniform on +-1/K; each position takes the nearest code (squared
  Euclidean distance); the decoder reads z_e + sg[e - z_e] (straight-through); loss per example =
  summed BCE-with-logits on the [0, 1] intensities + ||sg[z_e] - e||^2 + 0.25 ||z_e - sg[e]||^2,
  both summed over positions and components; the mean over the batch is minimised with Adam 1e-3,
  batches of 128 reshuffled each epoch, the last incomplete batch dropped. Weights use PyTorch's
  default initialisation, which is vaec's (U(+-1/sqrt(fan_in))).
  Dead codes (vaec's CodebookUpdate): after each optimiser step a code's age is 0 if a position of
  the batch chose it, else age + 1; codes of age >= R (in index order) are moved onto the batch's
  encoder outputs farthest from the (updated) code they chose, each output at most once, and their
  age restarts.
Data (--dataset): mnist_digits (default), the embedded digits vaec ships
(runtime/src/main/resources/vaec/data/mnist_digits-images-idx3-ubyte.gz), the first 9,000 images for
training and the other 1,000 for the test, as vaec's mnist_digits; or fashion_mnist, the 60,000
training and 10,000 test images of /usr/share/datasets/fashion-mnist, as vaec's fashion_mnist.
Reported on the test set at the nearest codes: reconstruction -log p(x | z) and the squared error
between the image and the Bernoulli means (summed over the 784 pixels), the codebook perplexity and
the codes in use.
"""

import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_vae import DATASET_DIR, TEST_IMAGES, TRAIN_IMAGES, load_idx_images  # noqa: E402

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIGITS = os.path.join(HERE, "runtime/src/main/resources/vaec/data/mnist_digits-images-idx3-ubyte.gz")
DIGITS_TRAIN = 9000
BATCH_SIZE = 128
LEARNING_RATE = 1e-3
COMMITMENT = 0.25


class Residual(nn.Module):
    def __init__(self, channels, hidden):
        super().__init__()
        self.conv3 = nn.Conv2d(channels, hidden, 3, padding=1)
        self.conv1 = nn.Conv2d(hidden, channels, 1)

    def forward(self, x):
        return x + self.conv1(F.relu(self.conv3(F.relu(x))))


class ConvEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 4, stride=2, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 4, stride=2, padding=1)
        self.res1 = Residual(64, 32)
        self.res2 = Residual(64, 32)
        self.out = nn.Conv2d(64, 16, 1)

    def forward(self, x):
        h = F.relu(self.conv1(x.view(-1, 1, 28, 28)))
        h = F.relu(self.conv2(h))
        h = F.relu(self.res2(self.res1(h)))
        return self.out(h).flatten(1)            # channels first: column j * 49 + p


class ConvDecoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(16, 64, 3, padding=1)
        self.res1 = Residual(64, 32)
        self.res2 = Residual(64, 32)
        self.deconv1 = nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1)
        self.deconv2 = nn.ConvTranspose2d(32, 1, 4, stride=2, padding=1)

    def forward(self, z):
        h = F.relu(self.conv(z.view(-1, 16, 7, 7)))
        h = F.relu(self.res2(self.res1(h)))
        h = F.relu(self.deconv1(h))
        return self.deconv2(h).flatten(1)


def mlp(*widths):
    layers = []
    for i in range(len(widths) - 1):
        layers.append(nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class VQVAE(nn.Module):
    def __init__(self, kind):
        super().__init__()
        if kind == "conv":
            self.encoder, self.decoder = ConvEncoder(), ConvDecoder()
            self.width, self.positions, self.codes, self.restart_dead = 16, 49, 512, 20
        else:
            self.encoder, self.decoder = mlp(784, 400, 512), mlp(512, 400, 784)
            self.width, self.positions, self.codes, self.restart_dead = 16, 32, 256, 0
        k = self.codes
        self.codebook = nn.Parameter(torch.empty(k, self.width).uniform_(-1.0 / k, 1.0 / k))
        self.register_buffer("age", torch.zeros(k))

    def quantize(self, z_e):
        """z_e (batch, D * P), channels first -> vectors (batch * P, D), nearest code indices."""
        vectors = z_e.view(-1, self.width, self.positions).transpose(1, 2).reshape(-1, self.width)
        distances = (vectors.pow(2).sum(1, keepdim=True) - 2 * vectors @ self.codebook.t()
                     + self.codebook.pow(2).sum(1)[None, :])
        return vectors, distances.argmin(dim=1)

    def forward(self, x):
        z_e = self.encoder(x)
        vectors, index = self.quantize(z_e)
        e = self.codebook[index]                                   # (batch * P, D)
        codebook_term = (vectors.detach() - e).pow(2).view(x.shape[0], -1).sum(1)
        commitment_term = COMMITMENT * (vectors - e.detach()).pow(2).view(x.shape[0], -1).sum(1)
        quantized = vectors + (e - vectors).detach()               # straight-through
        z_q = quantized.view(-1, self.positions, self.width).transpose(1, 2).reshape(x.shape[0], -1)
        logits = self.decoder(z_q)
        reconstruction = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1)
        return logits, reconstruction, codebook_term, commitment_term, vectors.detach(), index

    @torch.no_grad()
    def restart_dead_codes(self, vectors, index):
        if self.restart_dead <= 0:
            return 0
        used = torch.bincount(index, minlength=self.codes) > 0
        self.age = torch.where(used, torch.zeros_like(self.age), self.age + 1)
        dead = torch.nonzero(self.age >= self.restart_dead).flatten()
        if dead.numel() == 0:
            return 0
        distance = (vectors - self.codebook[index]).pow(2).sum(1)
        # farthest first; a stable sort keeps row-then-position order on a tie, as vaec does
        order = torch.sort(-distance, stable=True).indices
        n = min(dead.numel(), order.numel())
        self.codebook[dead[:n]] = vectors[order[:n]]
        self.age[dead[:n]] = 0
        return n


def perplexity(index, codes):
    p = torch.bincount(index, minlength=codes).double()
    p = p / p.sum()
    nz = p[p > 0]
    return float(torch.exp(-(nz * nz.log()).sum())), int((p > 0).sum())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["conv", "mlp"], default="conv")
    parser.add_argument("--dataset", choices=["mnist_digits", "fashion_mnist"], default="mnist_digits")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None, help="intra-op threads (default: PyTorch's own choice)")
    parser.add_argument("--json", metavar="PATH", help="write the results here as JSON")
    args = parser.parse_args()
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    if args.dataset == "fashion_mnist":
        train = load_idx_images(os.path.join(DATASET_DIR, TRAIN_IMAGES))
        test = load_idx_images(os.path.join(DATASET_DIR, TEST_IMAGES))
    else:
        images = load_idx_images(DIGITS)
        train, test = images[:DIGITS_TRAIN], images[DIGITS_TRAIN:]
    model = VQVAE(args.model)
    print(f"parameters: {sum(p.numel() for p in model.parameters()):,} (torch threads {torch.get_num_threads()})")
    optimiser = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    epoch_seconds = []
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        model.train()
        order = torch.randperm(train.shape[0], generator=generator)
        batches = train.shape[0] // BATCH_SIZE
        totals = torch.zeros(3)
        restarted = 0
        for b in range(batches):
            x = train[order[b * BATCH_SIZE:(b + 1) * BATCH_SIZE]]
            _, rec, cb, commit, vectors, index = model(x)
            loss = (rec + cb + commit).mean()
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            restarted += model.restart_dead_codes(vectors, index)
            totals += torch.stack([rec.mean(), cb.mean(), commit.mean()]).detach()
        seconds = time.perf_counter() - start
        epoch_seconds.append(seconds)
        t = totals / batches
        print(f"epoch {epoch}: {seconds:.3f} s, training rec {t[0]:.3f} codebook {t[1]:.3f} "
              f"commit {t[2]:.3f}, {restarted} codes restarted", flush=True)
    model.eval()
    with torch.no_grad():
        rec_sum, sq_sum, indices = 0.0, 0.0, []
        for start in range(0, test.shape[0], 500):
            x = test[start:start + 500]
            logits, rec, _, _, _, index = model(x)
            rec_sum += rec.sum().item()
            sq_sum += (torch.sigmoid(logits) - x).pow(2).sum().item()
            indices.append(index)
        ppl, in_use = perplexity(torch.cat(indices), model.codes)
    n = test.shape[0]
    result = {"framework": "pytorch", "model": args.model, "dataset": args.dataset, "epochs": args.epochs,
              "epoch_seconds": epoch_seconds, "test_reconstruction": rec_sum / n,
              "test_reconstruction_sq_error": sq_sum / n, "test_code_perplexity": ppl,
              "codes_in_use": in_use, "codes": model.codes, "torch_threads": torch.get_num_threads()}
    print(f"test reconstruction -log p(x | z) per example: {result['test_reconstruction']:.3f}")
    print(f"test squared error per example: {result['test_reconstruction_sq_error']:.3f}")
    print(f"codebook perplexity {ppl:.2f} of {model.codes}; {in_use} codes in use")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
