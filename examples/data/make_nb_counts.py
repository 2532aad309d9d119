"""Writes nb_counts.csv: 200 examples of 10 counts from the negative-binomial model of seed 003
(Yin and Zhou 2018, section on the negative binomial), the data the SIVI example is measured on.

    r ~ Gamma(shape 2, rate 0.5), p ~ Beta(2, 2)      one (r, p) per example
    x_j ~ NB(r, p), j = 1..10                          successes before r failures, success prob p
                                                       (PyTorch's convention, mean r p / (1 - p))

numpy's negative_binomial(n, q) counts failures before n successes with success probability q,
so x = negative_binomial(r, 1 - p). The columns r and p hold the values drawn (not used as data).
Run from the repository root: python3 examples/data/make_nb_counts.py (numpy, seed 0).
"""
import numpy as np

rng = np.random.default_rng(0)
N, D = 200, 10
r = rng.gamma(2.0, 1.0 / 0.5, size=N)
p = rng.beta(2.0, 2.0, size=N)
x = rng.negative_binomial(r[:, None], 1.0 - p[:, None], size=(N, D))
header = ",".join([f"x{j}" for j in range(D)] + ["r", "p"])
rows = [",".join([str(int(v)) for v in x[i]] + [f"{r[i]:.6f}", f"{p[i]:.6f}"]) for i in range(N)]
with open("examples/data/nb_counts.csv", "w") as f:
    f.write(header + "\n" + "\n".join(rows) + "\n")
