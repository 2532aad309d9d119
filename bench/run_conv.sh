#!/usr/bin/env bash
# One command, two trainings of the convolutional VAE (examples/conv_vae.vae) on Fashion-MNIST:
# vaec, then plain PyTorch (bench/torch_conv_vae.py)
# when it is importable; prints seconds per epoch, their ratio, test -ELBO and vaec's peak memory.
# (log p(x) and the IWAE bound are skipped: K = 1, since the conv decoder makes them slow on 2 cores.)
#   bench/run_conv.sh [--epochs N]      (default 3)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
epochs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --epochs)
      [ $# -ge 2 ] || { echo "usage: bench/run_conv.sh [--epochs N]" >&2; exit 2; }
      epochs="$2"; shift 2 ;;
    *) echo "usage: bench/run_conv.sh [--epochs N]" >&2; exit 2 ;;
  esac
done
if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || [ ! -f /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ]; then
  echo "bench: Fashion-MNIST is not installed; run: sudo apt-get install dataset-fashion-mnist" >&2
  exit 1
fi
out="$here/bench/results/conv"
mkdir -p "$out"
rm -f "$out/vaec.json" "$out/torch.json"

echo "== vaec ($epochs epochs)"
# The progress bar goes to stderr; keep it in a file, and show it if vaec fails.
if ! "$here/vaec" run "$here/examples/conv_vae.vae" --dataset fashion_mnist --epochs "$epochs" --eval-samples 1 --iwae-k 1 \
  --out "$out/vaec" --metrics-json "$out/vaec.json" 2>"$out/vaec.stderr"; then
  tail -n 20 "$out/vaec.stderr" >&2
  exit 1
fi

python=""
for p in "$here/.venv/bin/python" "${VAEC_TORCH_PYTHON:-}" python3; do
  if [ -n "$p" ] && command -v "$p" >/dev/null 2>&1 && "$p" -c "import torch" 2>/dev/null; then python="$p"; break; fi
done
if [ -n "$python" ]; then
  echo "== PyTorch ($epochs epochs, $python)"
  "$python" "$here/bench/torch_conv_vae.py" --epochs "$epochs" --seed 0 --json "$out/torch.json"
else
  echo "== PyTorch: skipped (torch is not importable; see the README's Performance section to install it)"
fi

python3 - "$out/vaec.json" "$out/torch.json" <<'PY'
import json, os, statistics, sys
v = json.load(open(sys.argv[1]))
t = json.load(open(sys.argv[2])) if os.path.exists(sys.argv[2]) else None
mv = statistics.median(v["epoch_seconds"])
print()
print(f"{'':22}{'vaec':>12}{'PyTorch':>12}")
print(f"{'median s/epoch':22}{mv:12.2f}{(statistics.median(t['epoch_seconds']) if t else float('nan')):12.2f}")
print(f"{'test -ELBO (nats)':22}{v['test_neg_elbo']:12.2f}{(t['test_neg_elbo'] if t else float('nan')):12.2f}")
print(f"{'vaec peak memory':22}{v['peak_rss_mb']:10.0f} MiB")
if t:
    print(f"ratio vaec / PyTorch (median epoch): {mv / statistics.median(t['epoch_seconds']):.2f}")
PY
