# Shared by the bench scripts that train a model in vaec and then in PyTorch and compare them.
# Source it after setting $here (the repository root):  . "$here/bench/common.sh"

# bench_epochs DEFAULT USAGE ARGS...: sets $epochs from --epochs N (or DEFAULT); exits 2 on anything else.
bench_epochs() {
  epochs="$1"; local usage="$2"; shift 2
  while [ $# -gt 0 ]; do
    case "$1" in
      --epochs)
        [ $# -ge 2 ] || { echo "usage: $usage" >&2; exit 2; }
        epochs="$2"; shift 2 ;;
      *) echo "usage: $usage" >&2; exit 2 ;;
    esac
  done
}

# bench_require_fashion: exits 1, saying how to install it, when Fashion-MNIST is missing.
bench_require_fashion() {
  if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || [ ! -f /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ]; then
    echo "bench: Fashion-MNIST is not installed; run: sudo apt-get install dataset-fashion-mnist" >&2
    exit 1
  fi
}

# bench_kernels: prints the OpenBLAS kernels vaec's launcher will use (vaec-env.sh), and its note when
# the environment names older kernels than the CPU has (vaec's own stderr goes to a file here).
bench_kernels() {
  ( . "$here/vaec-env.sh"
    echo "== vaec's OpenBLAS kernels: ${OPENBLAS_CORETYPE:-chosen by OpenBLAS}"
    [ -z "$VAEC_KERNEL_NOTE" ] || echo "   $VAEC_KERNEL_NOTE" )
}

# bench_vaec OUT MODEL FLAGS...: trains MODEL with vaec into OUT/vaec, metrics in OUT/vaec.json.
bench_vaec() {
  local out="$1" model="$2"; shift 2
  mkdir -p "$out"
  rm -f "$out/vaec.json" "$out/torch.json"
  bench_kernels
  echo "== vaec ($epochs epochs)"
  # The progress bar goes to stderr; keep it in a file, and show it if vaec fails.
  if ! "$here/vaec" run "$model" --epochs "$epochs" "$@" --out "$out/vaec" --metrics-json "$out/vaec.json" 2>"$out/vaec.stderr"; then
    tail -n 20 "$out/vaec.stderr" >&2
    exit 1
  fi
}

# bench_torch_python: sets $python to the first Python that imports torch ($VAEC_TORCH_PYTHON,
# .venv/bin/python, python3), or to "" when none does.
bench_torch_python() {
  python=""
  for p in "${VAEC_TORCH_PYTHON:-}" "$here/.venv/bin/python" python3; do
    if [ -n "$p" ] && command -v "$p" >/dev/null 2>&1 && "$p" -c "import torch" 2>/dev/null; then python="$p"; break; fi
  done
}

# bench_torch_skipped: says that PyTorch is skipped and why.
bench_torch_skipped() {
  echo "== PyTorch: skipped (torch is not importable from \$VAEC_TORCH_PYTHON, .venv/bin/python or python3; see the README's Performance section to install it)"
}

# bench_torch OUT SCRIPT: runs the PyTorch SCRIPT (--epochs, --seed 0, --json OUT/torch.json) with
# bench_torch_python's Python, or says it is skipped.
bench_torch() {
  local out="$1" script="$2"
  bench_torch_python
  if [ -n "$python" ]; then
    echo "== PyTorch ($epochs epochs, $python)"
    "$python" "$script" --epochs "$epochs" --seed 0 --json "$out/torch.json"
  else
    bench_torch_skipped
  fi
}

# bench_report OUT: median seconds per epoch of both, their ratio, test -ELBO and vaec's peak memory.
bench_report() {
  python3 - "$1/vaec.json" "$1/torch.json" <<'PY'
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
}
