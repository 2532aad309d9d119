package vaec.runtime.train;

import java.util.SplittableRandom;

/**
 * Every row once per epoch, in a uniformly random order: the Fisher-Yates shuffle of 0..rows-1
 * driven by a {@link SplittableRandom} seeded with the epoch's seed (the order vaec has always
 * trained in; checkpoints written before {@link BatchOrder} existed resume on the same rows).
 */
public record SeededShuffle(int rows) implements BatchOrder {
  public SeededShuffle {
    if (rows < 0) throw new IllegalArgumentException("rows: " + rows);
  }

  @Override public int length() { return rows; }

  @Override
  public int[] epoch(long seed) {
    int[] p = new int[rows];
    for (int i = 0; i < rows; i++) p[i] = i;
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = rows - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
