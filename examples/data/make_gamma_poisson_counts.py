"""Writes gamma_poisson_counts.csv: 2,000 examples of 16 counts from a Poisson factorization
(Gamma latents, Poisson likelihood), the data examples/gamma_poisson.vae trains on.

    z_k ~ Gamma(shape 1, rate 1), k = 1..3
    n_j ~ Poisson(sum_k W_jk z_k), j = 1..16, with W fixed: each count loads mostly on one factor

Run from the repository root: python3 examples/data/make_gamma_poisson_counts.py (numpy, seed 0).
"""
import numpy as np

rng = np.random.default_rng(0)
K, D, N = 3, 16, 2000
W = rng.gamma(0.5, 1.0, size=(D, K)) + 0.05
for j in range(D):
    W[j, j % K] += 3.0
z = rng.gamma(1.0, 1.0, size=(N, K))
n = rng.poisson(z @ W.T)
header = ",".join(f"n{j}" for j in range(D))
np.savetxt("examples/data/gamma_poisson_counts.csv", n, fmt="%d", delimiter=",", header=header, comments="")
