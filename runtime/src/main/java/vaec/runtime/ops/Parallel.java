package vaec.runtime.ops;

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
 * twice as slow on the 2-core development machine. VAEC_GEMM_SPLIT=0 turns this off.
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

  public static boolean enabled() { return HELPER != null; }

  /** Element-wise work below this many elements is not worth a hand-off to the helper thread. */
  static final long SPLIT_ELEMENTS = 32_768;

  /** Whether an element-wise op over a batch x width buffer should run as two row halves. */
  static boolean splitRows(INDArray a) {
    return HELPER != null && a.rows() >= 2 && a.length() >= SPLIT_ELEMENTS;
  }

  /** Runs both, the second on the helper thread when there is one; returns when both are done. */
  public static void both(Runnable first, Runnable second) {
    if (HELPER == null || Thread.currentThread().getName().equals("vaec-helper")) {
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
  static final class RowHalves {
    private final Map<INDArray, INDArray[]> cache = new IdentityHashMap<>();

    synchronized INDArray half(INDArray a, int which) {
      INDArray[] h = cache.computeIfAbsent(a, x -> {
        long mid = x.rows() / 2;
        return new INDArray[] {x.get(NDArrayIndex.interval(0, mid), NDArrayIndex.all()),
            x.get(NDArrayIndex.interval(mid, x.rows()), NDArrayIndex.all())};
      });
      return h[which];
    }
  }
}
