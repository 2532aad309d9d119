#!/usr/bin/env bash
# The Burda-style table: examples/iwae_vae.vae's architecture (the reference VAE, 784-400-20) trained
# with the ELBO and with IWAE at k = 1, 5 and 50 (k = 5 and 50 with and without DReG), the same
# number of epochs each, dynamically binarized, one after another; each checkpoint is then evaluated
# with the IWAE bound at k = 5000 on the first N test images (the same N for every row, so the rows
# are compared on the same images); prints test IWAE-5000, active units and the median seconds per
# training epoch of each row.
#   bench/iwae_table.sh [--epochs E] [--dataset mnist_digits|fashion_mnist] [--test-rows N] [--rows 'SPEC;SPEC;...']
#   [--first-row N]   (defaults: 5 epochs, mnist_digits, all test rows, the six objectives, numbered from 1;
#   a later --first-row adds rows to an earlier run's table without touching its rows)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
epochs=5; dataset=mnist_digits; testRows=all; first=1
specs="elbo;iwae(samples = 1);iwae(samples = 5);iwae(samples = 5, gradient = dreg);iwae(samples = 50);iwae(samples = 50, gradient = dreg)"
while [ $# -gt 0 ]; do
  case "$1" in
    --epochs) epochs="$2"; shift 2 ;;
    --dataset) dataset="$2"; shift 2 ;;
    --test-rows) testRows="$2"; shift 2 ;;
    --rows) specs="$2"; shift 2 ;;
    --first-row) first="$2"; shift 2 ;;
    *) echo "usage: bench/iwae_table.sh [--epochs E] [--dataset D] [--test-rows N] [--rows 'SPEC;SPEC;...'] [--first-row N]" >&2; exit 2 ;;
  esac
done
out="$here/bench/results/iwae_table/$dataset"
mkdir -p "$out"
# The test images evaluated at k = 5000: the dataset's test split, or its first N rows as an NPY file.
if [ "$testRows" != all ]; then
  python3 - "$here" "$dataset" "$testRows" "$out/test_first$testRows.npy" <<'PY'
import gzip, struct, sys, numpy as np
here, name, n, dst = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
src, first = {"mnist_digits": (here + "/runtime/src/main/resources/vaec/data/mnist_digits-images-idx3-ubyte.gz", 9000),
              "fashion_mnist": ("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", 0)}[name]
b = gzip.open(src).read()
_, rows, h, w = struct.unpack(">IIII", b[:16])
x = np.frombuffer(b[16:], dtype=np.uint8).reshape(rows, h * w).astype(np.float32) / 255
np.save(dst, x[first:first + n])
PY
  # a named dataset keeps its own test split: give the subset as both files (evaluation reads only the test part)
  test=(--dataset "$out/test_first$testRows.npy" --test-dataset "$out/test_first$testRows.npy")
else
  test=(--dataset "$dataset")
fi
IFS=';' read -ra rows <<< "$specs"
i=$((first - 1))
for spec in "${rows[@]}"; do
  i=$((i + 1))
  dir="$out/row$i"
  rm -rf "$dir" "$dir.json" "$dir.eval"
  echo "$spec" > "$dir.spec"
  echo "== $spec ($epochs epochs, $dataset; load $(uptime | sed 's/.*load average: //'))"
  "$here/vaec" run "$here/examples/iwae_vae.vae" --dataset "$dataset" --binarize dynamic --objective "$spec" --epochs "$epochs" \
    --eval-samples 1 --iwae-k 1 --out "$dir" --metrics-json "$dir.json" 2>"$dir.stderr" | grep "^epoch" || { tail -n 20 "$dir.stderr"; exit 1; }
  "$here/vaec" eval "$here/examples/iwae_vae.vae" --checkpoint "$dir/checkpoint.vaeckpt" --binarize dynamic \
    "${test[@]}" --objective "$spec" -k 1 --iwae-k 5000 2>"$dir.eval.stderr" | tee "$dir.eval" | grep -i "iwae-5000\|active" || { tail -n 20 "$dir.eval.stderr"; exit 1; }
done
echo "load at the end: $(uptime | sed 's/.*load average: //')"
python3 - "$out" "$i" <<'PY'
import json, os, re, statistics, sys
out, n = sys.argv[1], int(sys.argv[2])
print()
print(f"{'objective':40}{'test IWAE-5000':>16}{'active units':>14}{'s/epoch':>10}")
for i in range(1, n + 1):
    if not os.path.exists(os.path.join(out, f"row{i}.eval")): continue
    spec = open(os.path.join(out, f"row{i}.spec")).read().strip()
    m = json.load(open(os.path.join(out, f"row{i}.json")))
    ev = open(os.path.join(out, f"row{i}.eval")).read()
    b = re.search(r"IWAE-5000 bound (-?[0-9.]+)", ev)
    au = re.search(r"active units[^:]*:\s*z (\d+ of \d+)", ev)
    print(f"{spec:40}{(b.group(1) if b else '?'):>16}{(au.group(1) if au else '?'):>14}{statistics.median(m['epoch_seconds']):10.2f}")
PY
