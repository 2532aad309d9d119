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
# 4.0 s with SkylakeX (AVX-512). So name the kernels from the CPU's flags; OPENBLAS_CORETYPE set by
# the user wins.
if [ -z "${OPENBLAS_CORETYPE:-}" ] && [ -r /proc/cpuinfo ]; then
  vaec_cpu_flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
  vaec_has() { for f in "$@"; do case "$vaec_cpu_flags" in *" $f "*) ;; *) return 1 ;; esac; done; }
  if vaec_has avx512f avx512bw avx512dq avx512vl avx512cd; then export OPENBLAS_CORETYPE=SkylakeX
  elif vaec_has avx2 fma; then export OPENBLAS_CORETYPE=Haswell
  fi
  unset -f vaec_has
  unset vaec_cpu_flags
fi
