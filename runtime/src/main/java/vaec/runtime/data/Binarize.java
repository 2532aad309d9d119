package vaec.runtime.data;

import java.util.random.RandomGenerator;

/**
 * Dynamic binarization: intensities in [0,1] are turned into 0/1 values afresh for every batch,
 * each becoming 1 with probability equal to its intensity. Bernoulli likelihoods need binary data,
 * and redrawing every batch (rather than thresholding once) acts as data augmentation and keeps
 * the expected value of every pixel equal to its intensity.
 */
public final class Binarize {
  private Binarize() {}

  /**
   * Writes into {@code dst[i]} 1 with probability {@code src[i]} and 0 otherwise. Values at or
   * below 0 always give 0 and values at or above 1 always give 1. {@code src} and {@code dst} may
   * be the same array.
   */
  public static void dynamic(float[] src, float[] dst, RandomGenerator rng) {
    if (src.length != dst.length) {
      throw new IllegalArgumentException("src has " + src.length + " values, dst " + dst.length);
    }
    for (int i = 0; i < src.length; i++) {
      // nextFloat() is uniform on [0,1), so P(u < p) = p exactly for p in [0,1].
      dst[i] = rng.nextFloat() < src[i] ? 1f : 0f;
    }
  }
}
