package vaec.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import vaec.runtime.data.Vocabulary;

/**
 * The free-running sampler draws from the model's conditional probabilities: a chi-square
 * goodness-of-fit test of token frequencies against them (fixed seeds), at temperature 1 and
 * 0.5, for one step and for the second token given the first through the full decoding loop.
 */
class SequenceSamplerTest {
  static final int V = 8;

  /** A small autoregressive model: p(first) fixed, p(next | previous) depending on the previous token. */
  static double[] first() { return new double[] {0.01, 0.02, 0.1, 0.05, 0.3, 0.2, 0.22, 0.1}; }

  static double[] next(int prev) {
    double[] p = new double[V];
    double sum = 0;
    for (int k = 0; k < V; k++) {
      p[k] = 1 + ((k * 3 + prev * 5) % 7);
      sum += p[k];
    }
    for (int k = 0; k < V; k++) p[k] /= sum;
    return p;
  }

  /** Chi-square statistic of counts against probabilities over the drawable ids (end token and up). */
  static double chiSquare(long[] counts, double[] q, long n) {
    double chi = 0;
    for (int k = Vocabulary.EOS; k < V; k++) {
      double e = n * q[k];
      chi += (counts[k] - e) * (counts[k] - e) / e;
    }
    return chi;
  }

  // 99.9% quantile of chi-square with 5 degrees of freedom (6 drawable ids)
  static final double CRITICAL_5 = 20.515;

  @Test
  void oneStepMatchesTheTemperedDistribution() {
    for (double temperature : new double[] {1.0, 0.5}) {
      double[] q = SequenceSampler.stepDistribution(first(), 0, V, temperature);
      double z = 0;
      for (int k = Vocabulary.EOS; k < V; k++) z += Math.pow(first()[k], 1 / temperature);
      for (int k = 0; k < V; k++) {
        double expected = k < Vocabulary.EOS ? 0 : Math.pow(first()[k], 1 / temperature) / z;
        assertEquals(expected, q[k], 1e-12, "T = " + temperature + ", id " + k);
      }
      SplittableRandom rng = new SplittableRandom(11);
      long n = 40_000;
      long[] counts = new long[V];
      for (int i = 0; i < n; i++) counts[SequenceSampler.drawToken(first(), 0, V, temperature, rng)]++;
      assertEquals(0, counts[Vocabulary.PAD] + counts[Vocabulary.BOS]);
      double chi = chiSquare(counts, q, n);
      assertTrue(chi < CRITICAL_5, "T = " + temperature + ": chi-square " + chi);
    }
  }

  @Test
  void idsTheVocabularyLeavesUnusedAreNeverDrawn() {
    double[] q = SequenceSampler.stepDistribution(first(), 0, V, 6, 1.0);
    assertEquals(0.0, q[6] + q[7]);
    assertEquals(1.0, q[2] + q[3] + q[4] + q[5], 1e-12);
    SplittableRandom rng = new SplittableRandom(2);
    for (int i = 0; i < 2000; i++) assertTrue(SequenceSampler.drawToken(first(), 0, V, 6, 1.0, rng) < 6);
  }

  @Test
  void greedyTakesTheMostProbableToken() {
    assertEquals(4, SequenceSampler.drawToken(first(), 0, V, 0.0, new SplittableRandom(1)));
  }

  /** Through the decoding loop: the second token given the first follows p(next | first). */
  @Test
  void decodingLoopDrawsEachPositionFromItsConditional() {
    int length = 3;
    int n = 30_000;
    float[][] w = SequenceSampler.decode(ids -> {
      float[][] p = new float[ids.length][length * V];
      for (int r = 0; r < ids.length; r++) {
        double[] a = first();
        for (int k = 0; k < V; k++) p[r][k] = (float) a[k];
        for (int t = 1; t < length; t++) {
          double[] b = next((int) ids[r][t - 1]);   // reads only the position before t
          for (int k = 0; k < V; k++) p[r][t * V + k] = (float) b[k];
        }
      }
      return p;
    }, n, length, V, 1.0, 5);
    long[] firstCounts = new long[V];
    long[] secondCounts = new long[V];
    long given = 0;
    for (float[] row : w) {
      firstCounts[(int) row[0]]++;
      if (row[0] == 4) {
        secondCounts[(int) row[1]]++;
        given++;
      }
      if (row[0] == Vocabulary.EOS) assertArrayEquals(new float[] {Vocabulary.EOS, 0, 0}, row);   // ended: padding after
      assertEquals(Vocabulary.EOS, row[length - 1] == Vocabulary.PAD ? Vocabulary.EOS : row[length - 1]);  // the last position can only end
    }
    double chi1 = chiSquare(firstCounts, SequenceSampler.stepDistribution(first(), 0, V, 1.0), n);
    double[] q2 = SequenceSampler.stepDistribution(next(4), 0, V, 1.0);
    double chi2 = chiSquare(secondCounts, q2, given);
    assertTrue(chi1 < CRITICAL_5, "first token: chi-square " + chi1);
    assertTrue(chi2 < CRITICAL_5, "second token given the first: chi-square " + chi2 + " over " + given);
  }
}
