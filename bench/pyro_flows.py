#!/usr/bin/env python3
"""The reference VAE with a normalizing-flow guide in Pyro, the peer of examples/planar_vae.vae and
examples/iaf_vae.vae (vaec's embedded digits or Fashion-MNIST, the same architecture, loss,
optimiser and batching).

  --flow planar (planar_vae.vae): encoder 784-400 (relu) -> 40 = mu, log variance (20 each);
      z0 ~ N(mu, exp(0.5 log_var)), then --length planar steps (default 10) with global (learned)
      parameters: pyro.distributions.transforms.Planar, whose u_hat is the paper's (w . u_hat > -1),
      as in vaec.
  --flow iaf (iaf_vae.vae): encoder 784-400 (relu) -> 60 = mu, log variance and a context h (20
      each); 2 steps of pyro.distributions.transforms.ConditionalAffineAutoregressive, each a
      ConditionalAutoRegressiveNN (a MADE) of 320 ELU units reading z and h, with the natural
      variable order on even steps and the reversed order on odd ones, and the stable (gated) update
      sigma z + (1 - sigma) m with sigma = sigmoid(s + 1), as in vaec (sigmoid_bias = 1).
  decoder 20-400 (relu) -> 784 logits; Bernoulli likelihood of the intensities x / 255 in [0, 1]
  (no binarisation); prior N(0, I); the KL term is Monte Carlo (log q(z_K) - log p(z_K) at the
  draw), Trace_ELBO with one particle; Adam 1e-3, batches of 128 reshuffled each epoch, the last
  incomplete batch dropped. The flow's parameters are global and the IAF's context amortized, in
  both systems. Initialisation follows each library's own defaults (they differ in detail).

Prints per epoch: epoch N train_loss X test_loss Y seconds S (loss = negative ELBO per example in
nats, one sample; seconds = training time, test evaluation excluded).

Usage: source /work/pyro-env.sh; $VAEC_PYRO_PYTHON bench/pyro_flows.py --flow planar|iaf [--epochs N]
       [--length K] [--dataset mnist_digits|fashion_mnist] [--seed S] [--json PATH]
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

import pyro
import pyro.distributions as dist
import pyro.distributions.transforms as T
from pyro.infer import SVI, Trace_ELBO
from pyro.nn import ConditionalAutoRegressiveNN
from pyro.optim import Adam

DATASET_DIR = "/usr/share/datasets/fashion-mnist"
# vaec's embedded digits: 10,000 MNIST images, the first 9,000 for training and the last 1,000 for testing
DIGITS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "runtime", "src", "main", "resources", "vaec", "data",
                      "mnist_digits-images-idx3-ubyte.gz")
DIGITS_TRAIN = 9000
PIXELS, HIDDEN, LATENT, BATCH, LR = 784, 400, 20, 128, 1e-3


def load_images(path):
    if not os.path.exists(path):
        sys.exit(f"error: {path} not found; install Fashion-MNIST with `sudo apt-get install dataset-fashion-mnist`")
    with gzip.open(path) as f:
        d = f.read()
    if int.from_bytes(d[:4], "big") != 2051:
        sys.exit(f"error: {path} is not an IDX3 image file")
    x = np.frombuffer(d, np.uint8, offset=16).reshape(-1, PIXELS).astype(np.float32)
    return torch.from_numpy(x / 255.0)


class FlowVAE(nn.Module):
    def __init__(self, flow, length):
        super().__init__()
        self.flow = flow
        context = LATENT if flow == "iaf" else 0
        self.enc_hidden = nn.Linear(PIXELS, HIDDEN)
        self.enc_out = nn.Linear(HIDDEN, 2 * LATENT + context)
        self.dec_hidden = nn.Linear(LATENT, HIDDEN)
        self.dec_out = nn.Linear(HIDDEN, PIXELS)
        if flow == "planar":
            self.steps = nn.ModuleList([T.Planar(LATENT) for _ in range(length)])
        else:
            steps = []
            for k in range(length):
                order = torch.arange(LATENT) if k % 2 == 0 else torch.arange(LATENT - 1, -1, -1)
                arn = ConditionalAutoRegressiveNN(LATENT, context, [320], param_dims=[1, 1], permutation=order,
                                                  nonlinearity=nn.ELU())
                steps.append(T.ConditionalAffineAutoregressive(arn, stable=True, sigmoid_bias=1.0))
            self.steps = nn.ModuleList(steps)

    def model(self, x):
        pyro.module("decoder", nn.ModuleList([self.dec_hidden, self.dec_out]))
        with pyro.plate("data", x.shape[0]):
            loc = x.new_zeros(x.shape[0], LATENT)
            z = pyro.sample("z", dist.Normal(loc, torch.ones_like(loc)).to_event(1))
            logits = self.dec_out(F.relu(self.dec_hidden(z)))
            pyro.sample("x", dist.Bernoulli(logits=logits, validate_args=False).to_event(1), obs=x)

    def guide(self, x):
        pyro.module("encoder", nn.ModuleList([self.enc_hidden, self.enc_out]))
        pyro.module("flow", self.steps)
        with pyro.plate("data", x.shape[0]):
            e = self.enc_out(F.relu(self.enc_hidden(x)))
            mu, log_var = e[:, :LATENT], e[:, LATENT:2 * LATENT]
            base = dist.Normal(mu, torch.exp(0.5 * log_var)).to_event(1)
            if self.flow == "planar":
                q = dist.TransformedDistribution(base, list(self.steps))
            else:
                h = e[:, 2 * LATENT:]
                q = dist.TransformedDistribution(base, [s.condition(h) for s in self.steps])
            pyro.sample("z", q)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--flow", choices=["planar", "iaf"], required=True)
    p.add_argument("--length", type=int, default=None, help="flow steps (default: 10 planar, 2 IAF)")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--dataset", choices=["mnist_digits", "fashion_mnist"], default="mnist_digits",
                   help="vaec's embedded digits (9,000 + 1,000) or Fashion-MNIST (60,000 + 10,000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", metavar="PATH")
    p.add_argument("--limit", type=int, default=0, help="train and test on the first N images only (a smoke test)")
    a = p.parse_args()
    length = a.length or (10 if a.flow == "planar" else 2)

    pyro.set_rng_seed(a.seed)
    pyro.enable_validation(False)
    pyro.clear_param_store()
    if a.dataset == "mnist_digits":
        x = load_images(DIGITS)
        xtr, xte = x[:DIGITS_TRAIN], x[DIGITS_TRAIN:]
    else:
        xtr = load_images(os.path.join(DATASET_DIR, "train-images-idx3-ubyte.gz"))
        xte = load_images(os.path.join(DATASET_DIR, "t10k-images-idx3-ubyte.gz"))
    if a.limit:
        xtr, xte = xtr[:a.limit], xte[:a.limit]
    vae = FlowVAE(a.flow, length)
    svi = SVI(vae.model, vae.guide, Adam({"lr": LR}), loss=Trace_ELBO())
    flow_params = sum(q.numel() for q in vae.steps.parameters())
    print(f"# pyro {pyro.__version__} torch {torch.__version__} threads {torch.get_num_threads()} flow {a.flow} "
          f"length {length} ({flow_params} flow parameters) {a.dataset} batch {BATCH} seed {a.seed}", flush=True)

    n = xtr.shape[0]
    batches = n // BATCH
    seconds, train_curve, test_curve = [], [], []
    for ep in range(1, a.epochs + 1):
        t = time.time()
        perm = torch.randperm(n)
        total = 0.0
        for b in range(batches):
            total += svi.step(xtr[perm[b * BATCH:(b + 1) * BATCH]])
        dt = time.time() - t
        with torch.no_grad():
            te = sum(svi.evaluate_loss(xte[i:i + 1000]) for i in range(0, xte.shape[0], 1000))
        train_loss, test_loss = total / (batches * BATCH), te / xte.shape[0]
        seconds.append(dt)
        train_curve.append(train_loss)
        test_curve.append(test_loss)
        print(f"epoch {ep} train_loss {train_loss:.2f} test_loss {test_loss:.2f} seconds {dt:.2f}", flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"epoch_seconds": seconds, "train_neg_elbo": train_curve, "test_neg_elbo": test_curve[-1],
                       "flow": a.flow, "length": length}, f)


if __name__ == "__main__":
    main()
