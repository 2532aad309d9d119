#!/usr/bin/env bash
# JMH micro-benchmarks of the runtime's kernels and of a reference-VAE training step.
#   bench/jmh.sh [JMH arguments]      e.g. bench/jmh.sh -f 1 -wi 3 -i 5 Gemm
# Builds benchmarks/target/benchmarks.jar when it is missing or older than the sources, then runs
# it in the vaec launcher's environment (vaec-env.sh: one OpenMP thread, OpenBLAS's kernels named
# from the CPU's flags). With no arguments JMH runs every benchmark at its defaults (long: 5 forks);
# -l lists them, -h gives JMH's options. Run it under nice on a shared machine.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$here/benchmarks/target/benchmarks.jar"

stale() {
  [ ! -f "$jar" ] && return 0
  [ -n "$(find "$here/pom.xml" "$here/"*/pom.xml "$here/bench/reference.vae" "$here/grammar/src" "$here/runtime/src/main" \
      "$here/stdlib/src/main" "$here/compiler/src/main" "$here/benchmarks/src/main" -newer "$jar" -type f 2>/dev/null | head -n 1)" ]
}

if stale; then
  command -v mvn >/dev/null || { echo "jmh.sh: Maven (mvn) is needed to build the benchmarks" >&2; exit 1; }
  echo "jmh.sh: building the benchmarks jar..." >&2
  if ! (cd "$here" && mvn -q -B -DskipTests package -pl benchmarks -am >"$here/.build-benchmarks.log" 2>&1); then
    echo "jmh.sh: the build failed; the log is in $here/.build-benchmarks.log" >&2
    tail -n 30 "$here/.build-benchmarks.log" >&2
    exit 1
  fi
fi

. "$here/vaec-env.sh"
echo "jmh.sh: OMP_NUM_THREADS=$OMP_NUM_THREADS OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}; load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?)" >&2
# JMH's forked JVMs inherit these JVM options and the environment.
# The Vector API module as the launcher adds it (AdamVector); VAEC_VECTOR=0 leaves it out.
vector_opts=()
java_major="$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)"
if [ "${VAEC_VECTOR:-1}" != "0" ] && [ -n "$java_major" ] && [ "$java_major" -ge 16 ] && [ "$java_major" -le 18 ]; then
  vector_opts=(--add-modules jdk.incubator.vector)
fi
exec java -XX:+UseSerialGC -Xmx2g -Djava.awt.headless=true ${vector_opts[@]+"${vector_opts[@]}"} ${VAEC_JAVA_OPTS:-} -jar "$jar" "$@"
