#!/usr/bin/env bash
# A real spark-submit run of the jar the build produces, on a machine without a Spark
# distribution: spark-core contains org.apache.spark.deploy.SparkSubmit, so it is started with
# Spark's own class path (spark-core and its dependencies, resolved by spark/dist/pom.xml from the
# local Maven repository: what a distribution's jars/ folder holds) and given vaec's jar and its
# dependencies with --jars, as on a cluster. Then the same run through the launcher
# (./vaec run ... --spark local[2]), and the two test figures compared: with 2 partitions both
# runs add the same two gradient sums in the same float addition, so they must agree exactly.
#   bench/spark_submit.sh [--epochs N] [--master M]      (defaults: 1 epoch, local[2])
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
epochs=1
master='local[2]'
while [ $# -gt 0 ]; do
  case "$1" in
    --epochs) epochs="$2"; shift 2 ;;
    --master) master="$2"; shift 2 ;;
    *) echo "usage: bench/spark_submit.sh [--epochs N] [--master M]" >&2; exit 2 ;;
  esac
done
cd "$here"
out="$here/bench/results/spark_submit"
mkdir -p "$out"
rm -rf "$out/submit" "$out/launcher" "$out"/*.json

jar="$here/spark/target/vaec-spark-0.1.0-SNAPSHOT.jar"
if [ ! -f "$jar" ] || [ ! -f "$here/spark/target/classpath.txt" ]; then
  echo "== building (mvn -B -q -DskipTests package)"
  mvn -B -q -DskipTests package || { echo "the build failed" >&2; exit 1; }
fi
echo "== Spark's class path (spark/dist/pom.xml)"
mvn -B -q -f spark/dist/pom.xml dependency:build-classpath -Dmdep.outputFile="$out/spark-classpath.txt" || {
  echo "could not resolve spark-core's class path" >&2; exit 1; }
# vaec's jars: everything the spark module needs except Spark's and Scala's own, which spark-submit provides.
jars=$(tr ':' '\n' < spark/target/classpath.txt | grep -v -e /org/apache/spark/ -e /org/scala-lang/ | paste -sd, -)
opens=()
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
    java.util.concurrent.atomic sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
  opens+=("--add-opens=java.base/$p=ALL-UNNAMED")
done
flags=(--epochs "$epochs" --eval-samples 5 --iwae-k 5)

echo "== spark-submit --master $master (load: $(cut -d' ' -f1-3 /proc/loadavg))"
t0=$(date +%s.%N)
OMP_NUM_THREADS=1 java -Xmx2g "${opens[@]}" -Djdk.reflect.useDirectMethodHandle=false -cp "$(cat "$out/spark-classpath.txt")" \
  org.apache.spark.deploy.SparkSubmit --master "$master" --conf spark.ui.enabled=false --class vaec.cli.Main --jars "$jars" \
  "$jar" run examples/vae.vae --spark submit --spark-partitions 2 "${flags[@]}" \
  --out "$out/submit" --metrics-json "$out/submit.json" >"$out/submit.stdout" 2>"$out/submit.stderr"
rc=$?
t1=$(date +%s.%N)
if [ $rc -ne 0 ] || [ ! -f "$out/submit.json" ]; then
  echo "spark-submit run FAILED (exit $rc); last lines of $out/submit.stderr and .stdout:"
  tail -n 25 "$out/submit.stderr"; tail -n 5 "$out/submit.stdout"
  exit 1
fi
printf 'spark-submit: done in %.0f s\n' "$(echo "$t1 - $t0" | bc)"

echo "== ./vaec run --spark local[2] (load: $(cut -d' ' -f1-3 /proc/loadavg))"
if ! OMP_NUM_THREADS=1 "$here/vaec" run examples/vae.vae --spark 'local[2]' --spark-partitions 2 "${flags[@]}" \
    --out "$out/launcher" --metrics-json "$out/launcher.json" >"$out/launcher.stdout" 2>"$out/launcher.stderr"; then
  echo "launcher run FAILED; last lines of $out/launcher.stderr:"; tail -n 25 "$out/launcher.stderr"; exit 1
fi

field() { grep -o "\"$2\": *[-0-9.eE+]*" "$1" | head -n 1 | sed 's/.*: *//'; }
a=$(field "$out/submit.json" test_log_px); b=$(field "$out/launcher.json" test_log_px)
echo "test log p(x): spark-submit $a, launcher $b"
if [ -n "$a" ] && [ "$a" = "$b" ]; then
  echo "OK: the spark-submit run and the launcher's Spark run agree"
else
  echo "MISMATCH (or no test_log_px in the metrics JSON)"; exit 1
fi
