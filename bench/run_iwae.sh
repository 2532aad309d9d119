#!/usr/bin/env bash
# The cost of the importance-weighted bound: the reference VAE on Fashion-MNIST trained with the
# ELBO and with IWAE-5 in vaec, then the same two in Pyro (TraceMeanField_ELBO and RenyiELBO(alpha = 0)
# with 5 vectorized particles), one after another in this one command; prints the median seconds
# per epoch of each and the ratio IWAE-5 / ELBO for both (5.0 would be five single-sample epochs'
# worth of work).
#   bench/run_iwae.sh [--epochs N]      (default 3)
# Pyro runs when $VAEC_PYRO_PYTHON imports pyro (source /work/pyro-env.sh) and the peer script is
# at $VAEC_PYRO_SCRIPT (default /work/shared/peers/pyro_vae.py); otherwise it is skipped.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/common.sh"
bench_epochs 3 "bench/run_iwae.sh [--epochs N]" "$@"
bench_require_fashion
out="$here/bench/results/iwae"
echo "load before: $(uptime)"
# Test evaluation after each epoch is outside the timed part; the final log p(x) and IWAE-k are skipped.
bench_vaec "$out/elbo" "$here/bench/reference.vae" --dataset fashion_mnist --eval-samples 1 --iwae-k 1
bench_vaec "$out/iwae5" "$here/bench/reference.vae" --dataset fashion_mnist --eval-samples 1 --iwae-k 1 --objective 'iwae(samples = 5)'
pyro_script="${VAEC_PYRO_SCRIPT:-/work/shared/peers/pyro_vae.py}"
rm -f "$out/pyro_elbo.txt" "$out/pyro_iwae5.txt"
if [ -n "${VAEC_PYRO_PYTHON:-}" ] && [ -f "$pyro_script" ] && "$VAEC_PYRO_PYTHON" -c "import pyro" 2>/dev/null; then
  echo "== Pyro mean-field ELBO ($epochs epochs)"
  "$VAEC_PYRO_PYTHON" "$pyro_script" "$epochs" --mean-field | tee "$out/pyro_elbo.txt"
  echo "== Pyro IWAE-5 ($epochs epochs)"
  "$VAEC_PYRO_PYTHON" "$pyro_script" "$epochs" --iwae 5 | tee "$out/pyro_iwae5.txt"
else
  echo "== Pyro: skipped (set VAEC_PYRO_PYTHON to a Python that imports pyro, e.g. source /work/pyro-env.sh)"
fi
echo "load after: $(uptime)"
python3 - "$out" <<'PY'
import json, os, re, statistics, sys
out = sys.argv[1]
def vaec(name):
    return json.load(open(os.path.join(out, name, "vaec.json")))["epoch_seconds"]
def pyro(name):
    p = os.path.join(out, name)
    if not os.path.exists(p): return None
    s = [float(m.group(1)) for m in re.finditer(r"seconds\s+([0-9.]+)", open(p).read())]
    return s or None
rows = [("vaec", vaec("elbo"), vaec("iwae5")), ("Pyro", pyro("pyro_elbo.txt"), pyro("pyro_iwae5.txt"))]
print()
print(f"{'':8}{'ELBO s/epoch':>14}{'IWAE-5 s/epoch':>16}{'ratio':>8}   (median epoch; 5.0 = five ELBO epochs)")
for name, e, i in rows:
    if e is None or i is None:
        print(f"{name:8}{'skipped':>14}")
        continue
    me, mi = statistics.median(e), statistics.median(i)
    print(f"{name:8}{me:14.2f}{mi:16.2f}{mi / me:8.2f}")
PY
