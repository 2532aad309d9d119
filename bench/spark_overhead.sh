#!/usr/bin/env bash
# Spark local mode's per-step overhead against a single process: the reference VAE (examples/vae.vae,
# 70 steps of batch 128 an epoch) trained for one epoch in a single process, on Spark local[1] with
# one partition and on local[2] with two, one after the other in this command, each twice
# (interleaved), printing seconds per epoch, per step and the test -ELBO, and the load average
# before each run. Figures from one invocation only compare with each other.
#   bench/spark_overhead.sh [--epochs N] [--repeats R]
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
epochs=1
repeats=2
while [ $# -gt 0 ]; do
  case "$1" in
    --epochs) epochs="$2"; shift 2 ;;
    --repeats) repeats="$2"; shift 2 ;;
    *) echo "usage: bench/spark_overhead.sh [--epochs N] [--repeats R]" >&2; exit 2 ;;
  esac
done
out="$here/bench/results/spark_overhead"
mkdir -p "$out"
cd "$here"
steps=$(( 9000 / 128 ))
printf '%-28s %6s %10s %10s %10s  %s\n' run repeat s/epoch ms/step test-ELBO "load (1, 5, 15 min)"
for r in $(seq 1 "$repeats"); do
  for cfg in "single" "local[1] 1" "local[2] 2"; do
    set -- $cfg
    name="$1"; args=()
    [ "$name" != single ] && args=(--spark "$1" --spark-partitions "$2")
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    tag=$(echo "$name" | tr -d '[]')
    json="$out/$tag-$r.json"
    rm -f "$json"
    if ! "$here/vaec" run examples/vae.vae --epochs "$epochs" --eval-samples 5 --iwae-k 5 ${args[@]+"${args[@]}"} \
        --out "$out/$tag-$r" --metrics-json "$json" >"$out/$tag-$r.stdout" 2>"$out/$tag-$r.stderr"; then
      echo "$name: FAILED; see $out/$tag-$r.stderr"; tail -n 5 "$out/$tag-$r.stderr"; continue
    fi
    secs=$(python3 -c "import json,sys; d=json.load(open('$json')); e=d['epoch_seconds']; print(sum(e)/len(e))")
    elbo=$(grep -o 'test -ELBO *[0-9.]*' "$out/$tag-$r.stdout" | tail -n 1 | awk '{print $3}')
    printf '%-28s %6d %10.2f %10.0f %10s  %s\n' "$name${2:+ x$2}" "$r" "$secs" "$(python3 -c "print($secs*1000/$steps)")" "$elbo" "$load"
  done
done
