#!/usr/bin/env bash
# How cost grows: seconds per training epoch of the reference VAE (bench/reference.vae) in vaec and
# then in plain PyTorch (bench/torch_vae.py), same architecture, batch and Adam 1e-3, on
# Fashion-MNIST, for
#   batch 32, 128, 512, 1024 at 784-400-20;
#   latent width 2, 20, 100 at batch 128 (hidden 400);
#   hidden width 100, 400, 1600 at batch 128 (latent 20).
# Each configuration trains --epochs epochs (default 2) and reports the LAST epoch's seconds, so
# that the JVM's and PyTorch's warm-up stay out of the figure; evaluation is not timed (and is
# kept to one importance sample). Prints one table row per configuration.
# PyTorch uses its own choice of intra-op threads unless VAEC_TORCH_THREADS sets them (on a
# loaded 2-core machine its two threads spin at every barrier and an epoch can take 50x longer).
#   bench/scaling.sh [--epochs N]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/common.sh"
bench_epochs 2 "bench/scaling.sh [--epochs N]" "$@"
bench_require_fashion
bench_torch_python
[ -n "$python" ] || bench_torch_skipped
out="$here/bench/results/scaling"
mkdir -p "$out"

# The table's rows: batch hidden latent.
configs="128 400 20
512 400 20
1024 400 20
128 400 2
128 400 100
128 100 20
128 1600 20
32 400 20"

rows="$out/rows.tsv"
: >"$rows"
while read -r batch hidden latent; do
  tag="b${batch}_h${hidden}_z${latent}"
  model="$out/$tag.vae"
  # The reference model with the widths replaced; the encoder's output is 2 x latent (mu, log_var).
  sed -e "s/^latent z : real\[20\]/latent z : real[$latent]/" \
      -e "s/MLP(784 -> 400 -> 40,/MLP(784 -> $hidden -> $((2 * latent)),/" \
      -e "s/MLP(20 -> 400 -> 784,/MLP($latent -> $hidden -> 784,/" \
      -e "s/^model reference/model scaling_$tag/" \
      "$here/bench/reference.vae" >"$model"
  grep -q "real\[$latent\]" "$model" && grep -q "MLP($latent -> $hidden -> 784" "$model" \
    || { echo "bench/scaling.sh: bench/reference.vae no longer has the expected lines; update the sed patterns" >&2; exit 1; }
  echo "== batch $batch, 784-$hidden-$latent: vaec ($epochs epochs)"
  if ! "$here/vaec" run "$model" --epochs "$epochs" --batch "$batch" --dataset fashion_mnist \
      --eval-samples 1 --iwae-k 1 --out "$out/$tag.vaec" --metrics-json "$out/$tag.vaec.json" \
      >"$out/$tag.vaec.log" 2>"$out/$tag.vaec.stderr"; then
    tail -n 20 "$out/$tag.vaec.stderr" >&2
    exit 1
  fi
  rm -f "$out/$tag.torch.json"
  if [ -n "$python" ]; then
    echo "== batch $batch, 784-$hidden-$latent: PyTorch ($epochs epochs)"
    "$python" "$here/bench/torch_vae.py" --epochs "$epochs" --seed 0 --batch "$batch" \
      ${VAEC_TORCH_THREADS:+--threads "$VAEC_TORCH_THREADS"} \
      --hidden "$hidden" --latent "$latent" --json "$out/$tag.torch.json" >"$out/$tag.torch.log"
  fi
  printf '%s\t%s\t%s\t%s\n' "$batch" "$hidden" "$latent" "$tag" >>"$rows"
done <<<"$configs"

python3 - "$out" "$rows" <<'PY'
import json, os, sys
out, rows = sys.argv[1], sys.argv[2]
print()
print("seconds of the last training epoch (Fashion-MNIST, 60,000 images, Adam 1e-3)")
print(f"{'batch':>6}{'784-H-Z':>14}{'vaec s':>10}{'PyTorch s':>11}{'ratio':>8}")
for line in open(rows):
    batch, hidden, latent, tag = line.split()
    v = json.load(open(os.path.join(out, tag + ".vaec.json")))["epoch_seconds"][-1]
    tp = os.path.join(out, tag + ".torch.json")
    t = json.load(open(tp))["epoch_seconds"][-1] if os.path.exists(tp) else None
    arch = f"784-{hidden}-{latent}"
    ts = f"{t:11.2f}" if t else f"{'-':>11}"
    rs = f"{v / t:8.2f}" if t else f"{'-':>8}"
    print(f"{batch:>6}{arch:>14}{v:10.2f}{ts}{rs}")
PY
