package vaec.runtime.kernels;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
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
  private static final Helper HELPER =
      !"0".equals(trimmed(System.getenv("VAEC_GEMM_SPLIT"))) && Runtime.getRuntime().availableProcessors() > 1 ? new Helper() : null;

  private Parallel() {}

  private static String trimmed(String s) { return s == null ? null : s.trim(); }

  /** Checks a VAEC_GEMM_SPLIT setting: unset, blank, 0 (off) or 1 (on); anything else is a user error naming the value. */
  public static void checkSetting(String setting) {
    if (setting == null || setting.isBlank() || setting.trim().equals("0") || setting.trim().equals("1")) return;
    throw new vaec.runtime.UserError("VAEC_GEMM_SPLIT is '" + setting + "': expected 0 (every gemm and element-wise op on one thread) "
        + "or 1 or unset (large ones split across two threads)");
  }

  public static boolean enabled() { return HELPER != null && KernelPath.direct(); }

  /** Element-wise work below this many elements is not worth a hand-off to the helper thread. */
  public static final long SPLIT_ELEMENTS = 32_768;

  /** Whether an element-wise op over a batch x width buffer should run as two row halves. */
  public static boolean splitRows(INDArray a) {
    return enabled() && a.rows() >= 2 && a.length() >= SPLIT_ELEMENTS;
  }

  /**
   * Runs both, the second on the helper thread when there is one and it is free; returns when both
   * are done. A caller that finds the helper busy (another thread's split) runs both itself.
   */
  public static void both(Runnable first, Runnable second) {
    if (!enabled() || Thread.currentThread() == HELPER || !HELPER.claim()) {
      first.run();
      second.run();
      return;
    }
    HELPER.hand(second);
    Throwable mine = null;
    try {
      first.run();
    } catch (Throwable t) {
      mine = t;
    }
    Throwable theirs = HELPER.await();
    Throwable failure = mine != null ? mine : theirs;
    if (failure instanceof RuntimeException r) throw r;
    if (failure instanceof Error e) throw e;
    if (failure != null) throw new IllegalStateException("helper thread failed", failure);
  }

  /**
   * The second core's thread. A training step hands it a task every few hundred microseconds,
   * and a hand-off through an executor's queue (park, futex wake-up, unpark) cost 3 to 40 us on the
   * development machine's virtual CPUs, against a half-gemm of about 300 us. So both sides poll
   * briefly before they sleep (the helper after each task, waiting for the next one; the caller
   * while the helper finishes its half): {@link #SPIN_NANOS} with a spin-wait hint, then up to
   * {@link #YIELD_NANOS} yielding, so that on a busy machine the other thread (or anyone else's)
   * gets the core rather than a spinning one. Waking is Dekker-style on
   * volatile flags: each side publishes its own flag before it re-reads the other's, so a wake-up is
   * never lost.
   */
  private static final class Helper extends Thread {
    /** How long either side polls (with a spin-wait hint) before it yields its core. */
    static final long SPIN_NANOS = 50_000;
    /** How long either side keeps yielding (letting any other thread have the core) before it parks. */
    static final long YIELD_NANOS = 500_000;

    private final java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile Runnable task;
    private volatile boolean done;
    private volatile Throwable failure;
    private volatile boolean sleeping;
    private volatile Thread waiter;

    Helper() {
      super("vaec-helper");
      setDaemon(true);
      start();
    }

    boolean claim() { return busy.compareAndSet(false, true); }

    void hand(Runnable r) {
      failure = null;
      done = false;
      task = r;
      if (sleeping) LockSupport.unpark(this);
    }

    /** Waits for the handed task, releases the helper and returns what the task threw, if anything. */
    Throwable await() {
      long start = System.nanoTime();
      while (!done) {
        long waited = System.nanoTime() - start;
        if (waited < SPIN_NANOS) {
          Thread.onSpinWait();
          continue;
        }
        if (waited < YIELD_NANOS) {
          Thread.yield();
          continue;
        }
        waiter = Thread.currentThread();
        if (!done) LockSupport.park(this);
        waiter = null;
      }
      Throwable f = failure;
      busy.set(false);
      return f;
    }

    @Override
    public void run() {
      long idleSince = System.nanoTime();
      while (true) {
        Runnable r = task;
        if (r == null) {
          long idle = System.nanoTime() - idleSince;
          if (idle < SPIN_NANOS) {
            Thread.onSpinWait();
          } else if (idle < YIELD_NANOS) {
            Thread.yield();
          } else {
            sleeping = true;
            if (task == null) LockSupport.park(this);
            sleeping = false;
            idleSince = System.nanoTime();
          }
          continue;
        }
        try {
          r.run();
        } catch (Throwable t) {
          failure = t;
        }
        task = null;
        done = true;
        Thread w = waiter;
        if (w != null) LockSupport.unpark(w);
        idleSince = System.nanoTime();
      }
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
