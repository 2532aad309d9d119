#!/usr/bin/env bash
# The CUDA device check: trains the reference VAE (examples/vae.vae on the embedded mnist_digits,
# so no dataset needs installing) on the CPU build, then on ND4J's CUDA build (mvn -Pcuda), and
# prints seconds per epoch and test -ELBO of both. Leaves the CPU build in place at the end.
#   bench/device_check.sh [--epochs N] [--redist]
#     --redist  take the CUDA 11.6 runtime libraries from Maven Central (-Pcuda,cuda-redist,
#               about 2 GB) instead of the system's CUDA 11.6 installation
# Needs an NVIDIA GPU with a driver for CUDA 11.6 or newer. Every failure of the GPU run is
# printed with the last lines of its log (bench/results/device/gpu.stderr), so the reason is kept.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
epochs=3
profiles="cuda"
while [ $# -gt 0 ]; do
  case "$1" in
    --epochs) epochs="$2"; shift 2 ;;
    --redist) profiles="cuda,cuda-redist"; shift ;;
    *) echo "usage: bench/device_check.sh [--epochs N] [--redist]" >&2; exit 2 ;;
  esac
done
out="$here/bench/results/device"
mkdir -p "$out"
rm -f "$out/cpu.json" "$out/gpu.json"
cd "$here"

echo "== GPU"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "nvidia-smi: not found"

run() {   # run NAME: trains the reference VAE with the current build, writing $out/NAME.json
  local name="$1"
  # VAEC_GEMM_SPLIT=0: no helper thread (it runs ND4J ops from a second thread, meant for 2 CPU cores).
  if VAEC_GEMM_SPLIT=0 "$here/vaec" run examples/vae.vae --epochs "$epochs" --eval-samples 100 --iwae-k 10 \
      --out "$out/$name" --metrics-json "$out/$name.json" >"$out/$name.stdout" 2>"$out/$name.stderr"; then
    echo "$name: done"
  else
    echo "$name: FAILED (exit $?); last lines of $out/$name.stderr and .stdout:"
    tail -n 25 "$out/$name.stderr"; tail -n 5 "$out/$name.stdout"
  fi
}

echo "== CPU build (nd4j-native), $epochs epochs"
mvn -B -q -DskipTests package >"$out/build-cpu.log" 2>&1 || { echo "CPU build failed: $out/build-cpu.log"; tail -n 20 "$out/build-cpu.log"; exit 1; }
run cpu

echo "== CUDA build (mvn -P$profiles: nd4j-cuda-11.6 1.0.0-M2.1), $epochs epochs"
if mvn -B -q -P"$profiles" -DskipTests package >"$out/build-gpu.log" 2>&1; then
  grep -o 'nd4j-cuda-11.6[^:]*' cli/target/classpath.txt | sort -u | sed 's/^/class path: /'
  run gpu
else
  echo "CUDA build failed: $out/build-gpu.log"; tail -n 20 "$out/build-gpu.log"
fi

echo "== restoring the CPU build"
mvn -B -q -DskipTests package >"$out/build-cpu2.log" 2>&1 || echo "CPU rebuild failed: $out/build-cpu2.log"

python3 - "$out/cpu.json" "$out/gpu.json" <<'PY'
import json, os, statistics, sys
def load(p): return json.load(open(p)) if os.path.exists(p) else None
c, g = load(sys.argv[1]), load(sys.argv[2])
def col(d, f): return f(d) if d else float('nan')
print()
print(f"{'':24}{'CPU':>12}{'GPU':>12}")
print(f"{'median s/epoch':24}{col(c, lambda d: statistics.median(d['epoch_seconds'])):12.2f}{col(g, lambda d: statistics.median(d['epoch_seconds'])):12.2f}")
print(f"{'test -ELBO (nats)':24}{col(c, lambda d: d['test_neg_elbo']):12.2f}{col(g, lambda d: d['test_neg_elbo']):12.2f}")
PY
