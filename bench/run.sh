#!/usr/bin/env bash
# One command, two trainings of the reference VAE on Fashion-MNIST: vaec, then plain PyTorch
# when it is importable; prints seconds per epoch, their ratio, test -ELBO and vaec's peak memory.
#   bench/run.sh [--epochs N]      (default 3)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/common.sh"
bench_epochs 3 "bench/run.sh [--epochs N]" "$@"
bench_require_fashion
out="$here/bench/results"
bench_vaec "$out" "$here/bench/reference.vae" --dataset fashion_mnist --eval-samples 100
bench_torch "$out" "$here/bench/torch_vae.py"
bench_report "$out"
