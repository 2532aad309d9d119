package vaec.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import vaec.runtime.rng.NoiseSource;

/**
 * The batch order's one implementation, {@link SeededShuffle}, is the permutation training always
 * used (so checkpoints written before {@link BatchOrder} existed resume on the same rows), and an
 * epoch's order is a function of its seed alone (what resuming relies on).
 */
class BatchOrderTest {
  /**
   * {@code Trainer.permutation(n, seed)} as it was before {@link BatchOrder} replaced it: the
   * reference the shuffle must reproduce row for row.
   */
  static int[] formerPermutation(int n, long seed) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) p[i] = i;
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  @Test
  void theSeededShuffleGivesThePermutationTrainingAlwaysUsed() {
    long[] seeds = {0, 1, -1, 42, Long.MIN_VALUE, Long.MAX_VALUE,
        // the seeds the trainers ask with: the run's shuffle stream, per epoch
        new NoiseSource(0).derive(ModelState.STREAM_SHUFFLE, 0), new NoiseSource(0).derive(ModelState.STREAM_SHUFFLE, 1),
        new NoiseSource(7).derive(ModelState.STREAM_SHUFFLE, 19)};
    for (int n : new int[] {0, 1, 2, 3, 7, 128, 1000, 9000, 60000}) {
      SeededShuffle order = new SeededShuffle(n);
      assertEquals(n, order.length());
      for (long seed : seeds) assertArrayEquals(formerPermutation(n, seed), order.epoch(seed), n + " rows, seed " + seed);
    }
  }

  @Test
  void anEpochVisitsEveryRowOnceInAnOrderThatDependsOnItsSeedAlone() {
    SeededShuffle order = new SeededShuffle(500);
    int[] first = order.epoch(5);
    int[] other = order.epoch(6);
    assertArrayEquals(first, order.epoch(5), "asked again, as a resumed run asks, the same seed gives the same rows");
    assertFalse(Arrays.equals(first, other), "another epoch's seed gives another order");
    int[] sorted = first.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < sorted.length; i++) assertEquals(i, sorted[i]);
    assertFalse(Arrays.equals(first, sorted), "shuffled, not in row order");
  }

  @Test
  void aNegativeRowCountIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new SeededShuffle(-1));
  }
}
