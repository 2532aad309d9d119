package vaec.runtime.kernels;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * C = alpha op(A) op(B) + beta C, straight into OpenBLAS on the CPU backend.
 *
 * <p>Why not {@code Nd4j.gemm}: on the development machine it took 1.2 ms for a 128x784x400
 * product that cblas_sgemm called directly does in 0.7 ms, and 0.22 ms against 0.05 ms for a
 * 128x20x400 one; it also refuses to write into views. Calling cblas with explicit leading
 * dimensions handles row-major views (a column slice of a wider matrix, a parameter inside the
 * flat parameter vector) without copies. Arrays in any other layout, and other backends (CUDA),
 * go through {@code Nd4j.gemm} (or mmul), as does every product when {@link KernelPath} says
 * neutral (VAEC_KERNELS=neutral).
 *
 * <p>Each cblas call is single-threaded (OMP_NUM_THREADS=1, set by the launcher): OpenBLAS's own
 * threads would need OMP_NUM_THREADS=2, which makes ND4J's small element-wise ops about twice as
 * slow on a 2-core machine. The second core is used instead by splitting products of at least
 * {@link #SPLIT_WORK} multiply-adds into two column halves, computed at once on the calling thread
 * and {@link Parallel}'s helper thread: two concurrent cblas calls. That is safe with this OpenBLAS
 * (bytedeco's 0.3.19, a pthreads build whose buffer pool is locked); GemmConcurrencyTest checks
 * thousands of split products, and four Java threads calling at once, against a reference product
 * under the test JVM's settings. (A JVM crash log once taken as evidence of the opposite recorded
 * a SIGSEGV in ND4J's own DataBuffer code on the main thread alone, before this class existed.)
 */
public final class Gemm {
  /** Products of at least this many multiply-adds are split across two threads. */
  public static final long SPLIT_WORK = 4_000_000;

  /**
   * Products whose C has at least this many rows are split into row halves, others into column
   * halves. Measured by GemmSplitBench (both forms alternating in one JVM, OpenBLAS SkylakeX
   * kernels, medians of 300, quiet 2-core machine): row halves were 3-42% faster for every product
   * with 400 rows or more that training makes (the weight gradients x^T dh of 784 or 400 rows, the
   * enumerated mixture's 640-row halves), column halves 6-10% faster for the 128-row products of a
   * batch of 128, and a 20-row C can only be split by columns.
   */
  static final int ROW_SPLIT_ROWS = 192;

  /** Whether a product with C m x n and inner dimension k runs as two halves on the two cores. */
  public static boolean splits(long m, long n, long k) {
    return m * n * k >= SPLIT_WORK && (m >= ROW_SPLIT_ROWS || n >= 64);
  }

  private static final OneRow ROWS = new OneRow();

  /**
   * A rank-1 array (a bias gradient) as a one-row matrix, made once per array: reshaping on every
   * call made a new ND4J array and buffer each time, the largest source of garbage in a training
   * step. Cached by identity, as the halves' views are, and cleared past a bound.
   */
  private static final class OneRow {
    private final java.util.Map<INDArray, INDArray> cache = new java.util.IdentityHashMap<>();

    synchronized INDArray of(INDArray x) {
      INDArray r = cache.get(x);
      if (r == null) {
        if (cache.size() >= 4096) cache.clear();
        r = x.reshape(1, x.length());
        cache.put(x, r);
      }
      return r;
    }
  }

  private Gemm() {}

  private static volatile boolean profiling;
  private static volatile long profiledNanos;

  /** Starts (or stops) adding the wall time of every gemm called from any thread to {@link #profiledNanos}. */
  public static void profile(boolean on) { profiling = on; }

  /** Wall nanoseconds spent in gemm since profiling started (calls on the training thread; 0 when off). */
  public static long profiledNanos() { return profiledNanos; }

  public static void gemm(INDArray a, boolean transA, INDArray b, boolean transB, INDArray c, double alpha, double beta) {
    if (!profiling) {
      product(a, transA, b, transB, c, alpha, beta);
      return;
    }
    long t = System.nanoTime();
    product(a, transA, b, transB, c, alpha, beta);
    long d = System.nanoTime() - t;
    // Only the training thread's calls: a gemm inside an op's half on the helper thread overlaps
    // the calling thread's own work, which its wall time already covers.
    if (!Thread.currentThread().getName().equals("vaec-helper")) profiledNanos += d;
  }

  private static void product(INDArray a, boolean transA, INDArray b, boolean transB, INDArray c, double alpha, double beta) {
    if (c.isEmpty() || a.isEmpty() || b.isEmpty()) {
      // No rows, or an inner dimension of 0 (the product is then zero): nothing for BLAS to do.
      if (!c.isEmpty()) c.muli(beta);
      return;
    }
    if (c.rank() == 1) c = ROWS.of(c);
    DataType t = c.dataType();
    boolean direct = KernelPath.direct();
    if (!direct) KernelPath.noteNeutral(KernelPath.Kernel.GEMM);
    if (!direct || !rowMajor(a) || !rowMajor(b) || !rowMajor(c) || a.dataType() != t || b.dataType() != t
        || (t != DataType.FLOAT && t != DataType.DOUBLE)) {
      // ND4J's gemm refuses outputs whose element-wise stride is not 1 (a view): the product is
      // then made by mmul and added in. Allocates; a rare path.
      if (c.elementWiseStride() == 1) {
        Nd4j.gemm(a, b, c, transA, transB, alpha, beta);
      } else {
        INDArray p = (transA ? a.transpose() : a).mmul(transB ? b.transpose() : b).reshape(c.shape());
        if (beta == 0) c.assign(p.muli(alpha));
        else c.muli(beta).addi(p.muli(alpha));
      }
      return;
    }
    int m = (int) c.rows();
    int n = (int) c.columns();
    int k = (int) (transA ? a.rows() : a.columns());
    if ((transA ? a.columns() : a.rows()) != m || (transB ? b.columns() : b.rows()) != k || (transB ? b.rows() : b.columns()) != n) {
      throw new IllegalArgumentException("gemm shapes: " + a.shapeInfoToString() + " x " + b.shapeInfoToString() + " -> " + c.shapeInfoToString());
    }
    int lda = leading(a);
    int ldb = leading(b);
    int ldc = leading(c);
    if (Parallel.enabled() && splits(m, n, k)) {
      // Two halves of c, addressed by offsets into the same buffers with the same leading
      // dimensions (no views are made): row halves (and the matching rows of a, or columns of a
      // transposed a) when c has ROW_SPLIT_ROWS rows or more, else column halves (and the matching
      // columns of b, or rows of a transposed b). The two halves are this thread's reusable task
      // objects (a capturing lambda per call would allocate).
      Split s = SPLIT.get();
      if (m >= ROW_SPLIT_ROWS) {
        int half = m / 2;
        s.set(a, transA, b, transB, c, alpha, beta, m, n, k, lda, ldb, ldc, true, half, transA ? half : (long) half * lda, 0, (long) half * ldc);
      } else {
        int half = n / 2;
        s.set(a, transA, b, transB, c, alpha, beta, m, n, k, lda, ldb, ldc, false, half, 0, transB ? (long) half * ldb : half, half);
      }
      try {
        Parallel.both(s.low, s.high);
      } finally {
        s.set(null, false, null, false, null, 0, 0, 0, 0, 0, 0, 0, 0, false, 0, 0, 0, 0);   // no reference kept past the call
      }
      return;
    }
    blas(a, transA, b, transB, c, alpha, beta, m, n, k, lda, ldb, ldc, 0, 0, 0);
  }

  /** One thread's split product: its arguments, and the two halves as tasks made once. */
  private static final class Split {
    INDArray a, b, c;
    boolean transA, transB, rows;
    double alpha, beta;
    int m, n, k, lda, ldb, ldc, half;
    long aOff, bOff, cOff;
    final Runnable low = () -> {
      if (rows) blas(a, transA, b, transB, c, alpha, beta, half, n, k, lda, ldb, ldc, 0, 0, 0);
      else blas(a, transA, b, transB, c, alpha, beta, m, half, k, lda, ldb, ldc, 0, 0, 0);
    };
    final Runnable high = () -> {
      if (rows) blas(a, transA, b, transB, c, alpha, beta, m - half, n, k, lda, ldb, ldc, aOff, 0, cOff);
      else blas(a, transA, b, transB, c, alpha, beta, m, n - half, k, lda, ldb, ldc, 0, bOff, cOff);
    };

    void set(INDArray a, boolean transA, INDArray b, boolean transB, INDArray c, double alpha, double beta,
             int m, int n, int k, int lda, int ldb, int ldc, boolean rows, int half, long aOff, long bOff, long cOff) {
      this.a = a; this.transA = transA; this.b = b; this.transB = transB; this.c = c; this.alpha = alpha; this.beta = beta;
      this.m = m; this.n = n; this.k = k; this.lda = lda; this.ldb = ldb; this.ldc = ldc;
      this.rows = rows; this.half = half; this.aOff = aOff; this.bOff = bOff; this.cOff = cOff;
    }
  }

  private static final ThreadLocal<Split> SPLIT = ThreadLocal.withInitial(Split::new);

  /** C (from element {@code cOff}) = alpha op(A) op(B) (A from element {@code aOff}, B from {@code bOff}) + beta C, m x n. */
  private static void blas(INDArray a, boolean transA, INDArray b, boolean transB, INDArray c, double alpha, double beta,
                           int m, int n, int k, int lda, int ldb, int ldc, long aOff, long bOff, long cOff) {
    DataType t = c.dataType();
    int ta = transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
    int tb = transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
    if (t == DataType.FLOAT) {
      openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, ta, tb, m, n, k, (float) alpha, fp(a, 0, aOff), lda, fp(b, 1, bOff), ldb,
          (float) beta, fp(c, 2, cOff), ldc);
    } else {
      openblas_nolapack.cblas_dgemm(openblas_nolapack.CblasRowMajor, ta, tb, m, n, k, alpha, dp(a, 0, aOff), lda, dp(b, 1, bOff), ldb, beta,
          dp(c, 2, cOff), ldc);
    }
  }

  /** The row pitch BLAS wants: ND4J reports stride 1 for the rows of a one-row matrix. */
  private static int leading(INDArray x) {
    return (int) (x.rows() == 1 ? Math.max(x.columns(), x.stride(0)) : x.stride(0));
  }

  /** Rank 2 with unit column stride and rows at least a row apart: what cblas row-major reads. */
  private static boolean rowMajor(INDArray x) {
    if (x.rank() != 2) return false;
    long rows = x.rows();
    long cols = x.columns();
    return (x.stride(1) == 1 || cols == 1) && (x.stride(0) >= cols || rows == 1) && x.stride(0) >= 1;
  }

  // A view's data buffer already starts at the view's offset (ND4J M2 makes a buffer per view),
  // so its address pointer is the first element; adding offset() again would read past the end.
  // The pointers are made once per array, role (A, B, C) and thread (Handles): a new JavaCPP
  // pointer per call was most of a step's heap garbage.
  private static FloatPointer fp(INDArray x, int role, long position) {
    return Handles.of(x).floatPointer(role).position(position);
  }

  private static DoublePointer dp(INDArray x, int role, long position) {
    return Handles.of(x).doublePointer(role).position(position);
  }
}
