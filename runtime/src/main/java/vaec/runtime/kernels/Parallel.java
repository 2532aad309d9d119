package vaec.runtime.kernels;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The second core, for the few big pieces of a step: two halves of a large gemm or of a large
 * element-wise op run at once, one on the calling thread and one on a helper thread. ND4J's own
 * OpenMP threads stay at one (OMP_NUM_THREADS=1), because two made its many small ops about
 * twice as slow on the 2-core development machine. VAEC_GEMM_SPLIT=0 turns this off, and so do
 * the neutral kernel paths ({@link KernelPath}): a second thread issuing ND4J ops is not something
 * every backend supports (CUDA binds a device context per thread).
 */
public final class Parallel {
  private static final ExecutorService HELPER =
      !"0".equals(System.getenv("VAEC_GEMM_SPLIT")) && Runtime.getRuntime().availableProcessors() > 1
          ? Executors.newSingleThreadExecutor(r -> {
              Thread t = new Thread(r, "vaec-helper");
              t.setDaemon(true);
              return t;
            })
          : null;

  private Parallel() {}

  public static boolean enabled() { return HELPER != null && KernelPath.direct(); }

  /** Element-wise work below this many elements is not worth a hand-off to the helper thread. */
  public static final long SPLIT_ELEMENTS = 32_768;

  /** Whether an element-wise op over a batch x width buffer should run as two row halves. */
  public static boolean splitRows(INDArray a) {
    return enabled() && a.rows() >= 2 && a.length() >= SPLIT_ELEMENTS;
  }

  /** Runs both, the second on the helper thread when there is one; returns when both are done. */
  public static void both(Runnable first, Runnable second) {
    if (!enabled() || Thread.currentThread().getName().equals("vaec-helper")) {
      first.run();
      second.run();
      return;
    }
    Future<?> other = HELPER.submit(second);
    first.run();
    try {
      other.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the helper thread", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      throw new IllegalStateException("helper thread failed", e.getCause());
    }
  }

  /**
   * Row halves of batch-major buffers, made once per buffer and reused every step (the executor
   * hands an op the same buffers each time). Index 0 is the top half, 1 the bottom.
   */
  public static final class RowHalves {
    private final Halves halves = new Halves(true);

    public INDArray half(INDArray a, int which) { return halves.of(a, a.rows() / 2)[which]; }
  }

  /**
   * Halves of buffers split at a given row or column, cached by buffer identity: an executor
   * passes the same buffers every step, so views are made once instead of twice per call. The
   * cache is cleared when it grows past a bound, in case a caller passes fresh arrays each time.
   */
  static final class Halves {
    private static final int BOUND = 4096;
    private final boolean rows;
    private final Map<INDArray, INDArray[]> cache = new IdentityHashMap<>();

    Halves(boolean rows) { this.rows = rows; }

    synchronized INDArray[] of(INDArray x, long at) {
      INDArray[] h = cache.get(x);
      if (h != null && (rows ? h[0].rows() : h[0].columns()) == at) return h;
      if (cache.size() >= BOUND) cache.clear();
      long end = rows ? x.rows() : x.columns();
      h = rows
          ? new INDArray[] {x.get(NDArrayIndex.interval(0, at), NDArrayIndex.all()), x.get(NDArrayIndex.interval(at, end), NDArrayIndex.all())}
          : new INDArray[] {x.get(NDArrayIndex.all(), NDArrayIndex.interval(0, at)), x.get(NDArrayIndex.all(), NDArrayIndex.interval(at, end))};
      cache.put(x, h);
      return h;
    }
  }
}
