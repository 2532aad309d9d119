#!/usr/bin/env bash
# One command, two trainings of the character-level word VAE (examples/word_vae.vae) on
# english_words: vaec, then plain PyTorch (bench/torch_word_vae.py, same words, architecture and
# settings, one thread) when torch is importable; prints both test -ELBOs after the same epochs
# and the ratio of median epoch times.
# The Python is $VAEC_TORCH_PYTHON, else .venv/bin/python, else python3.
#   bench/run_word.sh [--epochs N]      (default 3)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/common.sh"
bench_epochs 3 "bench/run_word.sh [--epochs N]" "$@"
if [ ! -r /usr/share/dict/words ]; then
  echo "bench: /usr/share/dict/words is missing; run: sudo apt-get install wamerican" >&2
  exit 1
fi
out="$here/bench/results/word"
rm -rf "$out/vaec" "$out/torch.log"
# log p(w) by importance sampling and the IWAE bound are skipped (K = 1): the comparison is the ELBO.
bench_vaec "$out" "$here/examples/word_vae.vae" --eval-samples 1 --iwae-k 1
bench_torch_python
if [ -n "$python" ]; then
  echo "== PyTorch ($epochs epochs, $python)"
  "$python" "$here/bench/torch_word_vae.py" --epochs "$epochs" --seed 0 | tee "$out/torch.log"
  tail -n 1 "$out/torch.log" >"$out/torch.json"
else
  bench_torch_skipped
fi

python3 - "$out/vaec.json" "$out/torch.json" <<'PY'
import json, os, statistics, sys
v = json.load(open(sys.argv[1]))
t = json.load(open(sys.argv[2])) if os.path.exists(sys.argv[2]) else None
mv = statistics.median(v["epoch_seconds"])
mt = t["median_epoch_seconds"] if t else float("nan")
print()
print(f"{'':22}{'vaec':>12}{'PyTorch':>12}")
print(f"{'median s/epoch':22}{mv:12.2f}{mt:12.2f}")
print(f"{'test -ELBO (nats)':22}{v['test_neg_elbo']:12.3f}{(t['test_neg_elbo'] if t else float('nan')):12.3f}")
if t:
    print(f"ratio vaec / PyTorch (median epoch): {mv / mt:.2f}")
PY
