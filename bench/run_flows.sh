#!/usr/bin/env bash
# One command, the flow guides in vaec and in Pyro, one after the other on the same data and settings:
# the reference VAE (784-400-20) with a planar guide of K = 10 global steps (examples/planar_vae.vae)
# and with a 2-step IAF of 320 ELU units reading a context from the encoder (examples/iaf_vae.vae),
# each trained by vaec and then by bench/pyro_flows.py (Pyro's Planar and
# ConditionalAffineAutoregressive); prints seconds per epoch, their ratio and test -ELBO for both.
# (log p(x) and the IWAE bound are skipped in vaec's report, K = 1: Pyro's script reports -ELBO only.)
#   bench/run_flows.sh [--epochs N] [--dataset mnist_digits|fashion_mnist]   (defaults: 2, mnist_digits)
# Needs Pyro: source /work/pyro-env.sh (sets VAEC_PYRO_PYTHON and PYTHONPATH) before running it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/common.sh"
usage="bench/run_flows.sh [--epochs N] [--dataset mnist_digits|fashion_mnist]"
dataset=mnist_digits
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --dataset) [ $# -ge 2 ] || { echo "usage: $usage" >&2; exit 2; }; dataset="$2"; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
bench_epochs 2 "$usage" ${args[@]+"${args[@]}"}
case "$dataset" in
  mnist_digits) ;;
  fashion_mnist) bench_require_fashion ;;
  *) echo "usage: $usage" >&2; exit 2 ;;
esac
pyro_python="${VAEC_PYRO_PYTHON:-}"
if [ -z "$pyro_python" ] || ! "$pyro_python" -c "import pyro" 2>/dev/null; then
  echo "bench: Pyro is not importable from \$VAEC_PYRO_PYTHON; source /work/pyro-env.sh first (see /work/shared/peers/README.md)" >&2
  exit 1
fi
echo "load before: $(uptime)"
for flow in planar iaf; do
  out="$here/bench/results/flows_$flow"
  bench_vaec "$out" "$here/examples/${flow}_vae.vae" --dataset "$dataset" --eval-samples 1 --iwae-k 1
  echo "== Pyro ($epochs epochs, $pyro_python)"
  "$pyro_python" "$here/bench/pyro_flows.py" --flow "$flow" --epochs "$epochs" --dataset "$dataset" --seed 0 --json "$out/torch.json"
  echo "== $flow: vaec and Pyro"
  bench_report "$out" | sed 's/PyTorch/Pyro/g'
done
echo "load after: $(uptime)"
