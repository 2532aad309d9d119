package vaec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The two-thread hand-off behind every split gemm and split element-wise op: both halves run
 * exactly once, their effects are visible when {@link Parallel#both} returns, failures on either
 * side reach the caller, and callers on several threads at once (Spark's local tasks, the tests'
 * own threads) never lose or repeat a half.
 */
class ParallelTest {
  @Test
  void bothHalvesRunAndTheirWritesAreVisibleOnReturn() {
    for (int round = 0; round < 20_000; round++) {
      int[] cell = new int[2];
      int r = round;
      Parallel.both(() -> cell[0] = r + 1, () -> cell[1] = r + 2);
      assertEquals(r + 1, cell[0]);
      assertEquals(r + 2, cell[1], "the helper's write was not visible after both returned");
    }
  }

  @Test
  void aSlowHalfIsWaitedForPastTheSpin() throws Exception {
    // Longer than the caller's spin window, so the caller parks and must be woken.
    long[] end = new long[1];
    Parallel.both(() -> {}, () -> {
      sleep(20);
      end[0] = System.nanoTime();
    });
    assertTrue(end[0] != 0 && end[0] <= System.nanoTime());
    // And after a quiet spell longer than the helper's idle spin, it has parked and must be woken.
    sleep(20);
    int[] cell = new int[1];
    Parallel.both(() -> {}, () -> cell[0] = 7);
    assertEquals(7, cell[0]);
  }

  @Test
  void failuresOnEitherSideReachTheCallerAndTheHelperStaysUsable() {
    IllegalStateException second = new IllegalStateException("second half");
    assertSame(second, assertThrows(IllegalStateException.class, () -> Parallel.both(() -> {}, () -> {
      throw second;
    })));
    IllegalArgumentException first = new IllegalArgumentException("first half");
    assertSame(first, assertThrows(IllegalArgumentException.class, () -> Parallel.both(() -> {
      throw first;
    }, () -> {})));
    AssertionError error = new AssertionError("an error");
    assertSame(error, assertThrows(AssertionError.class, () -> Parallel.both(() -> {}, () -> {
      throw error;
    })));
    int[] cell = new int[2];
    Parallel.both(() -> cell[0] = 1, () -> cell[1] = 2);
    assertEquals(1, cell[0]);
    assertEquals(2, cell[1]);
  }

  @Test
  void concurrentCallersEachGetBothHalvesExactlyOnce() throws Exception {
    int threads = 4;
    int calls = 5_000;
    AtomicLong firsts = new AtomicLong();
    AtomicLong seconds = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          for (int i = 0; i < calls; i++) {
            long[] mine = new long[2];
            Parallel.both(() -> {
              mine[0]++;
              firsts.incrementAndGet();
            }, () -> {
              mine[1]++;
              seconds.incrementAndGet();
            });
            if (mine[0] != 1 || mine[1] != 1) throw new AssertionError("a half ran " + mine[0] + " and " + mine[1] + " times");
          }
        }));
      }
      for (Future<?> f : done) f.get();
    } finally {
      pool.shutdownNow();
    }
    assertEquals((long) threads * calls, firsts.get());
    assertEquals((long) threads * calls, seconds.get());
  }

  @Test
  void aHalfThatSplitsAgainRunsItsPartsInline() {
    int[] cell = new int[4];
    Parallel.both(() -> Parallel.both(() -> cell[0] = 1, () -> cell[1] = 2), () -> Parallel.both(() -> cell[2] = 3, () -> cell[3] = 4));
    assertEquals(List.of(1, 2, 3, 4), List.of(cell[0], cell[1], cell[2], cell[3]));
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
