#!/usr/bin/env bash
# One command, two trainings of the convolutional VAE (examples/conv_vae.vae) on Fashion-MNIST:
# vaec, then plain PyTorch (bench/torch_conv_vae.py)
# when it is importable; prints seconds per epoch, their ratio, test -ELBO and vaec's peak memory.
# (log p(x) and the IWAE bound are skipped: K = 1, since the conv decoder makes them slow on 2 cores.)
#   bench/run_conv.sh [--epochs N]      (default 3)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/common.sh"
bench_epochs 3 "bench/run_conv.sh [--epochs N]" "$@"
bench_require_fashion
out="$here/bench/results/conv"
bench_vaec "$out" "$here/examples/conv_vae.vae" --dataset fashion_mnist --eval-samples 1 --iwae-k 1
bench_torch "$out" "$here/bench/torch_conv_vae.py"
bench_report "$out"
