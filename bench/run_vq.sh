#!/usr/bin/env bash
# One command, two trainings of a VQ-VAE on the embedded digits (9,000 training, 1,000 test images)
# or on Fashion-MNIST (60,000 / 10,000; --dataset fashion_mnist):
# vaec, then plain PyTorch (bench/torch_vq_vae.py, the same architecture, loss, codebook init,
# dead-code restarts, data, batch and optimizer) when it is importable; prints seconds per epoch,
# their ratio, the test reconstruction -log p(x | z), the squared error, perplexity and codes in use.
#   bench/run_vq.sh [--model conv|mlp] [--epochs N] [--dataset mnist_digits|fashion_mnist]
#     conv (default): examples/vq_vae.vae; mlp: examples/vq_vae_mlp.vae; 3 epochs by default
# PyTorch's python: $VAEC_TORCH_PYTHON, else .venv/bin/python, else python3.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/common.sh"
usage() { echo "usage: bench/run_vq.sh [--model conv|mlp] [--epochs N] [--dataset mnist_digits|fashion_mnist]" >&2; exit 2; }
epochs=3
model=conv
dataset=mnist_digits
while [ $# -gt 0 ]; do
  case "$1" in
    --epochs) [ $# -ge 2 ] || usage; epochs="$2"; shift 2 ;;
    --model) [ $# -ge 2 ] || usage; model="$2"; shift 2 ;;
    --dataset) [ $# -ge 2 ] || usage; dataset="$2"; shift 2 ;;
    *) usage ;;
  esac
done
case "$model" in
  conv) file="$here/examples/vq_vae.vae" ;;
  mlp) file="$here/examples/vq_vae_mlp.vae" ;;
  *) usage ;;
esac
case "$epochs" in ''|*[!0-9]*) usage ;; esac
case "$dataset" in
  mnist_digits) out="$here/bench/results/vq_$model" ;;
  fashion_mnist) bench_require_fashion; out="$here/bench/results/vq_${model}_fashion" ;;
  *) usage ;;
esac
# K = 1 for log p(x) and IWAE: a VQ guide puts all its mass on one code, so every importance weight is the ELBO's.
bench_vaec "$out" "$file" --dataset "$dataset" --eval-samples 1 --iwae-k 1
bench_torch_python
if [ -n "$python" ]; then
  echo "== PyTorch ($model, $dataset, $epochs epochs, $python)"
  "$python" "$here/bench/torch_vq_vae.py" --model "$model" --dataset "$dataset" --epochs "$epochs" --seed 0 --json "$out/torch.json"
else
  bench_torch_skipped
fi

python3 - "$out/vaec.json" "$out/torch.json" <<'PY'
import json, os, statistics, sys
v = json.load(open(sys.argv[1]))
t = json.load(open(sys.argv[2])) if os.path.exists(sys.argv[2]) else None
nan = float("nan")
mv = statistics.median(v["epoch_seconds"])
mt = statistics.median(t["epoch_seconds"]) if t else nan
rows = [
    ("median s/epoch", mv, mt),
    ("test rec -log p(x|z)", v["test_reconstruction"], t["test_reconstruction"] if t else nan),
    ("test squared error", v["test_reconstruction_sq_error_x"], t["test_reconstruction_sq_error"] if t else nan),
    ("codebook perplexity", v["test_code_perplexity_z"], t["test_code_perplexity"] if t else nan),
    ("codes in use", v["codes_in_use_z"] * v["codes_z"], t["codes_in_use"] if t else nan),
]
print()
print(f"{'':24}{'vaec':>12}{'PyTorch':>12}")
for name, a, b in rows:
    print(f"{name:24}{a:12.2f}{b:12.2f}")
print(f"{'vaec peak memory':24}{v['peak_rss_mb']:10.0f} MiB")
if t:
    rel = v["test_reconstruction"] / t["test_reconstruction"] - 1
    print(f"vaec's test reconstruction differs from PyTorch's by {100 * rel:+.1f}%")
    print(f"ratio vaec / PyTorch (median epoch): {mv / mt:.2f}")
PY
