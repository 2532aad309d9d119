# The environment vaec runs in, sourced by the vaec launcher and by bench/jmh.sh (so that a
# benchmark measures what a run does). Sets only what the user has not set.

# ND4J's small element-wise ops run fastest on one OpenMP thread on small machines (measured:
# twice as slow with two threads on 2 cores); set OMP_NUM_THREADS yourself to override.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
# glibc's malloc gets two arenas, not one per thread that ever allocated, and returns every buffer
# of 128 KiB or more to the system when freed (a fixed mmap threshold): ND4J's native buffers come
# from malloc, and evaluation frees buffers of tens of MiB that would otherwise stay resident.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-131072}"
# OpenBLAS (inside ND4J) chooses its gemm kernels from the CPU model. On a virtual machine whose
# model it does not recognise ("Intel(R) Xeon(R) Processor") it falls back to its oldest x86-64
# kernels (Prescott, SSE3) even when the CPU has AVX-512. Measured on the 2-core development machine
# (reference VAE, Fashion-MNIST, epoch 2): 6.9 s per epoch with Prescott, 4.6 s with Haswell (AVX2),
# 4.0 s with SkylakeX (AVX-512); on a 2-core AMD EPYC (Zen 5, AVX-512), 2.00-2.17 s with Haswell and
# 1.32-1.51 s with SkylakeX. So name the kernels from the CPU's flags. VAEC_OPENBLAS_CORETYPE names
# them for vaec alone and wins; an OPENBLAS_CORETYPE already in the environment is kept (some
# machines set it for every program), and when it names older kernels than the CPU has, the
# launcher says so once at the start of run, eval and repl (VAEC_KERNEL_NOTE).
vaec_best_coretype=""
vaec_cpuinfo="${VAEC_CPUINFO:-/proc/cpuinfo}"   # another file only in LauncherEnvTest
if [ -r "$vaec_cpuinfo" ]; then
  vaec_cpu_flags=" $(grep -m1 '^flags' "$vaec_cpuinfo" | cut -d: -f2) "
  vaec_has() { for f in "$@"; do case "$vaec_cpu_flags" in *" $f "*) ;; *) return 1 ;; esac; done; }
  if vaec_has avx512f avx512bw avx512dq avx512vl avx512cd; then vaec_best_coretype=SkylakeX
  elif vaec_has avx2 fma; then vaec_best_coretype=Haswell
  fi
  unset -f vaec_has
  unset vaec_cpu_flags
fi
VAEC_KERNEL_NOTE=""
if [ -n "${VAEC_OPENBLAS_CORETYPE:-}" ]; then
  export OPENBLAS_CORETYPE="$VAEC_OPENBLAS_CORETYPE"
elif [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  [ -n "$vaec_best_coretype" ] && export OPENBLAS_CORETYPE="$vaec_best_coretype"
elif [ -n "$vaec_best_coretype" ]; then
  # Kernels at least as new as the best this CPU's flags allow, as OpenBLAS 0.3.19 names them.
  case "$vaec_best_coretype:$(printf '%s' "$OPENBLAS_CORETYPE" | tr '[:upper:]' '[:lower:]')" in
    SkylakeX:skylakex|SkylakeX:cooperlake|SkylakeX:sapphirerapids) ;;
    Haswell:haswell|Haswell:zen|Haswell:skylakex|Haswell:cooperlake|Haswell:sapphirerapids) ;;
    *) VAEC_KERNEL_NOTE="vaec: note: OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE in the environment picks older OpenBLAS kernels than this CPU has ($vaec_best_coretype's); vaec keeps it."
       [ "$vaec_best_coretype" = SkylakeX ] && VAEC_KERNEL_NOTE="$VAEC_KERNEL_NOTE The reference VAE trained about 1.5x faster with SkylakeX's kernels than with Haswell's on a 2-core AMD EPYC with AVX-512."
       VAEC_KERNEL_NOTE="$VAEC_KERNEL_NOTE VAEC_OPENBLAS_CORETYPE=$vaec_best_coretype uses them for vaec alone; VAEC_OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE keeps yours without this note." ;;
  esac
fi
unset vaec_best_coretype vaec_cpuinfo
