#!/usr/bin/env bash
# The cost of a REBAR and a RELAX step against a score-function step on the same model: the linear
# SBN of bench/sbn_linear.vae (200 Bernoulli latents, linear encoder and decoder, batch 128,
# Adam 1e-3) with `using score_function(baseline = average)`, `using rebar` and `using relax`,
# on the first 25,600 thresholded Fashion-MNIST training images (200 steps per epoch).
#   bench/rebar_step.sh [--rounds N] [--epochs N] [OTHER_CHECKOUT...]
# Each round trains the three variants one after another (VAEC_PROFILE=1, so the training loop's
# milliseconds per step are measured apart from evaluation); with other checkouts of vaec named
# (a build before a change), each round runs their three variants too, alternating builds. Prints
# every round, then the median ms/step of each variant and the median ratios to the score function,
# of wall time and of the process's CPU time (all threads; steadier on a machine shared with other
# work, where wall time mostly measures the wait for a core), and of the last epoch alone (wall time
# once the JIT is done: the steady state, which the whole-run figures mix with the first epoch's warm-up).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=3
epochs=1
builds=("$here")
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    -*) echo "usage: bench/rebar_step.sh [--rounds N] [--epochs N] [OTHER_CHECKOUT...]" >&2; exit 2 ;;
    *) [ -x "$1/vaec" ] || { echo "bench: $1/vaec not found" >&2; exit 2; }
       builds+=("$(cd "$1" && pwd)"); shift ;;
  esac
done
data=/usr/share/datasets/fashion-mnist
if [ ! -f "$data/train-images-idx3-ubyte.gz" ] || [ ! -f "$data/t10k-images-idx3-ubyte.gz" ]; then
  echo "bench: Fashion-MNIST is not installed; run: sudo apt-get install dataset-fashion-mnist" >&2
  exit 1
fi
out="$here/bench/results/rebar_step"
mkdir -p "$out"
if [ ! -f "$out/train.npy" ] || [ ! -f "$out/test.npy" ]; then
  python3 - "$data" "$out" <<'PY'
import gzip, sys, numpy as np
src, dst = sys.argv[1], sys.argv[2]
for name, part, rows in (("train-images-idx3-ubyte.gz", "train", 25600), ("t10k-images-idx3-ubyte.gz", "test", 1000)):
    with gzip.open(f"{src}/{name}") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)[:rows]
    np.save(f"{dst}/{part}.npy", (x / 255.0 > 0.5).astype(np.float32))
PY
fi
variants=(score rebar relax)
for v in "${variants[@]}"; do
  case "$v" in
    score) using="score_function(baseline = average)" ;;
    rebar) using="rebar" ;;
    relax) using="relax" ;;
  esac
  sed "s/using score_function(baseline = average)/using $using/" "$here/bench/sbn_linear.vae" > "$out/sbn_linear_$v.vae"
  grep -q "using $using" "$out/sbn_linear_$v.vae" || { echo "bench: could not set the estimator in bench/sbn_linear.vae" >&2; exit 1; }
done

echo "load before: $(uptime)"
. "$here/bench/common.sh"
bench_kernels
: > "$out/times.txt"
for r in $(seq 1 "$rounds"); do
  for b in $(seq 0 $((${#builds[@]} - 1))); do
    for v in "${variants[@]}"; do
      log="$out/round$r-build$b-$v.log"
      VAEC_PROFILE=1 "${builds[$b]}/vaec" run "$out/sbn_linear_$v.vae" --dataset "$out/train.npy" --test-dataset "$out/test.npy" \
        --epochs "$epochs" --eval-samples 1 --iwae-k 1 --out "$out/run-$v" >"$log" 2>&1 || { tail -n 20 "$log" >&2; exit 1; }
      ms=$(sed -n 's/^profile (VAEC_PROFILE): [0-9]* steps, \([0-9.]*\) ms per step$/\1/p' "$log")
      [ -n "$ms" ] || { echo "bench: no profile line in $log" >&2; exit 1; }
      cpu=$(sed -n 's/^  process CPU time: \([0-9.]*\) ms per step.*$/\1/p' "$log")
      [ -n "$cpu" ] || cpu=nan   # a build without the CPU line
      # The last epoch's training seconds per step (metrics.json; 200 steps an epoch): the step once
      # the JIT has compiled every variant's kernels, which the whole-run figure above mixes with the first epoch's.
      last=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['epoch_seconds'][-1] * 1000 / 200)" "$out/run-$v/metrics.json")
      echo "$r $b $v $ms $cpu $last" >> "$out/times.txt"
      printf 'round %d  build %d (%s)  %-6s %8.2f ms/step  CPU %8s ms/step  (load %s)\n' "$r" "$b" "${builds[$b]}" "$v" "$ms" "$cpu" \
        "$(cut -d' ' -f1 /proc/loadavg)"
    done
  done
done
echo "load after: $(uptime)"
python3 - "$out/times.txt" "${builds[@]}" <<'PY'
import math, statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
builds = sys.argv[2:]
for col, what in ((3, "wall"), (4, "process CPU"), (5, "last epoch's wall")):
    t = {(int(r[0]), int(r[1]), r[2]): float(r[col]) if len(r) > col else math.nan for r in rows}
    if all(math.isnan(v) for v in t.values()):
        continue
    print()
    print(f"{what} ms per training step, median over rounds; ratios are the medians of each round's ratio")
    print(f"{'build':<40}{'score':>10}{'rebar':>10}{'relax':>10}{'rebar/score':>13}{'relax/score':>13}")
    for b, path in enumerate(builds):
        rs = sorted({r for r, bb, _ in t if bb == b})
        med = {v: statistics.median(t[(r, b, v)] for r in rs) for v in ("score", "rebar", "relax")}
        ratio = {v: statistics.median(t[(r, b, v)] / t[(r, b, "score")] for r in rs) for v in ("rebar", "relax")}
        print(f"{path[-40:]:<40}{med['score']:>10.2f}{med['rebar']:>10.2f}{med['relax']:>10.2f}{ratio['rebar']:>13.2f}{ratio['relax']:>13.2f}")
PY
