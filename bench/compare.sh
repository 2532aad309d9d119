#!/usr/bin/env bash
# One command, the model kinds of issue 12 side by side on Fashion-MNIST: each trained by vaec, then
# by its Pyro peer (../shared/peers/, or $VAEC_PEERS) when Pyro is importable, one run after another.
#   bench/compare.sh [--epochs N] [gmm] [sbn] [sbn-nonlinear]      (default: 3 epochs, all three)
# gmm: the enumerated mixture VAE (bench/gmm.vae; Pyro TraceEnum_ELBO, pyro_gmm_enum.py);
# sbn, sbn-nonlinear: sigmoid belief nets with a score-function estimator and an average baseline
# (bench/sbn_linear.vae, bench/sbn_nonlinear.vae; Pyro TraceGraph_ELBO, pyro_sbn.py), on pixels
# thresholded at 0.5, written once as NPY files under bench/results/.
# Pyro is found with $VAEC_PYRO_PYTHON (default: .venv/bin/python, then python3) and $PYTHONPATH;
# a peer that cannot run is skipped, and the script says so. Prints median seconds per epoch and ratios
# (the median of three epochs, as bench/run.sh takes for the reference VAE: the JVM's first epoch
# carries its JIT compilation), then every epoch's seconds on both sides and the ratio of their sums.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
epochs=3
kinds=()
while [ $# -gt 0 ]; do
  case "$1" in
    --epochs) [ $# -ge 2 ] || { echo "usage: bench/compare.sh [--epochs N] [gmm] [sbn] [sbn-nonlinear]" >&2; exit 2; }
      epochs="$2"; shift 2 ;;
    gmm|sbn|sbn-nonlinear) kinds+=("$1"); shift ;;
    *) echo "usage: bench/compare.sh [--epochs N] [gmm] [sbn] [sbn-nonlinear]" >&2; exit 2 ;;
  esac
done
[ ${#kinds[@]} -gt 0 ] || kinds=(gmm sbn sbn-nonlinear)
data=/usr/share/datasets/fashion-mnist
if [ ! -f "$data/train-images-idx3-ubyte.gz" ] || [ ! -f "$data/t10k-images-idx3-ubyte.gz" ]; then
  echo "bench: Fashion-MNIST is not installed; run: sudo apt-get install dataset-fashion-mnist" >&2
  exit 1
fi
peers="${VAEC_PEERS:-$here/../shared/peers}"
. "$here/bench/common.sh"
bench_kernels
out="$here/bench/results"
mkdir -p "$out"

python=""
for p in "${VAEC_PYRO_PYTHON:-}" "$here/.venv/bin/python" python3; do
  if [ -n "$p" ] && command -v "$p" >/dev/null 2>&1 && "$p" -c "import pyro, torch" 2>/dev/null; then python="$p"; break; fi
done
if [ -z "$python" ]; then
  echo "== Pyro: not importable (set VAEC_PYRO_PYTHON and PYTHONPATH as in $peers/README.md); the Pyro runs are skipped"
elif [ ! -d "$peers" ]; then
  echo "== Pyro peers: $peers not found (set VAEC_PEERS); the Pyro runs are skipped"
  python=""
fi

# Thresholded pixels for the SBNs, written once (numpy from the system python3).
if [[ " ${kinds[*]} " == *" sbn"* ]] && { [ ! -f "$out/fmnist_bin_train.npy" ] || [ ! -f "$out/fmnist_bin_test.npy" ]; }; then
  python3 - "$data" "$out" <<'PY'
import gzip, sys, numpy as np
src, dst = sys.argv[1], sys.argv[2]
for name, part in (("train-images-idx3-ubyte.gz", "train"), ("t10k-images-idx3-ubyte.gz", "test")):
    with gzip.open(f"{src}/{name}") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)
    np.save(f"{dst}/fmnist_bin_{part}.npy", (x / 255.0 > 0.5).astype(np.float32))
PY
fi

# vaec: median s/epoch from --metrics-json.
run_vaec() {   # name model args...
  local name="$1" model="$2"; shift 2
  echo "== vaec $name ($epochs epochs)"
  if ! "$here/vaec" run "$model" "$@" --epochs "$epochs" --eval-samples 1 --iwae-k 1 --out "$out/vaec-$name" \
      --metrics-json "$out/vaec-$name.json" 2>"$out/vaec-$name.stderr" >"$out/vaec-$name.stdout"; then
    tail -n 20 "$out/vaec-$name.stderr" >&2; exit 1
  fi
  python3 -c "import json,statistics,sys; d=json.load(open(sys.argv[1])); print(statistics.median(d['epoch_seconds']))" \
    "$out/vaec-$name.json" > "$out/vaec-$name.median"
  python3 -c "import json,sys; print(' '.join(f'{s:.2f}' for s in json.load(open(sys.argv[1]))['epoch_seconds']))" \
    "$out/vaec-$name.json" > "$out/vaec-$name.epochs"
}
# Pyro: the peers print "epoch N train_loss X test_loss Y seconds S".
run_pyro() {   # name script args...
  local name="$1" script="$2"; shift 2
  rm -f "$out/pyro-$name.median"
  [ -n "$python" ] || return 0
  echo "== Pyro $name ($epochs epochs)"
  if ! (cd "$peers" && "$python" "$script" "$epochs" "$@") >"$out/pyro-$name.stdout" 2>"$out/pyro-$name.stderr"; then
    echo "   Pyro $name failed (see $out/pyro-$name.stderr); skipped"; return 0
  fi
  python3 -c "
import statistics, sys
s = [float(l.split()[l.split().index('seconds') + 1]) for l in open(sys.argv[1]) if l.startswith('epoch ')]
print(statistics.median(s))" "$out/pyro-$name.stdout" > "$out/pyro-$name.median"
  python3 -c "
import sys
s = [float(l.split()[l.split().index('seconds') + 1]) for l in open(sys.argv[1]) if l.startswith('epoch ')]
print(' '.join(f'{x:.2f}' for x in s))" "$out/pyro-$name.stdout" > "$out/pyro-$name.epochs"
}

for k in "${kinds[@]}"; do
  case "$k" in
    gmm) run_vaec gmm "$here/bench/gmm.vae" --dataset fashion_mnist
         run_pyro gmm pyro_gmm_enum.py ;;
    sbn) run_vaec sbn "$here/bench/sbn_linear.vae" --dataset "$out/fmnist_bin_train.npy" --test-dataset "$out/fmnist_bin_test.npy"
         run_pyro sbn pyro_sbn.py ;;
    sbn-nonlinear) run_vaec sbn-nonlinear "$here/bench/sbn_nonlinear.vae" --dataset "$out/fmnist_bin_train.npy" --test-dataset "$out/fmnist_bin_test.npy"
         run_pyro sbn-nonlinear pyro_sbn.py --nonlinear ;;
  esac
done

echo
printf '%-16s%14s%14s%10s\n' model "vaec s/epoch" "Pyro s/epoch" ratio
for k in "${kinds[@]}"; do
  v=$(cat "$out/vaec-$k.median")
  if [ -f "$out/pyro-$k.median" ]; then
    p=$(cat "$out/pyro-$k.median")
    python3 -c "import sys; v,p=float(sys.argv[1]),float(sys.argv[2]); print(f'{sys.argv[3]:16}{v:14.2f}{p:14.2f}{v/p:10.2f}')" "$v" "$p" "$k"
  else
    python3 -c "import sys; print(f'{sys.argv[2]:16}{float(sys.argv[1]):14.2f}{\"skipped\":>14}{\"-\":>10}')" "$v" "$k"
  fi
done
echo
echo "every epoch (s), and the ratio of the sums (the first epoch included on both sides):"
for k in "${kinds[@]}"; do
  if [ -f "$out/pyro-$k.median" ]; then
    python3 -c "import sys; v=[float(x) for x in sys.argv[1].split()]; p=[float(x) for x in sys.argv[2].split()]; print(f'{sys.argv[3]:16}vaec {sys.argv[1]}   Pyro {sys.argv[2]}   sums {sum(v):.2f} / {sum(p):.2f} = {sum(v)/sum(p):.2f}')" \
      "$(cat "$out/vaec-$k.epochs")" "$(cat "$out/pyro-$k.epochs")" "$k"
  else
    echo "$(printf '%-16s' "$k")vaec $(cat "$out/vaec-$k.epochs")"
  fi
done
