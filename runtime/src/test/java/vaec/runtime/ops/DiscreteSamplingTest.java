package vaec.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Goodness of fit of the discrete and relaxed samplers, run in float32 as training runs them,
 * with fixed seeds and N = 100,000 draws. Proportions must lie within 4 standard errors
 * sqrt(p (1 - p) / N) of their expectation (two-sided, about 6e-5 per check for a correct
 * sampler); category counts must pass Pearson's chi-square test at the 0.001 level, whose
 * critical value for 5 classes (4 degrees of freedom) is 18.467.
 */
class DiscreteSamplingTest {
  static final int N = 100_000;
  static final double CHI_SQUARE_4_DOF_AT_0_001 = 18.467;
  static final double[] BERNOULLI_LOGITS = {-3.0, -1.0, 0.0, 0.5, 2.5};
  static final double[] CATEGORY_LOGITS = {1.0, 0.0, -1.0, 2.0, 0.3};

  static double sigmoid(double a) { return 1 / (1 + Math.exp(-a)); }

  static double[] softmax(double[] logits) {
    double[] p = new double[logits.length];
    double sum = 0;
    for (int i = 0; i < p.length; i++) sum += p[i] = Math.exp(logits[i]);
    for (int i = 0; i < p.length; i++) p[i] /= sum;
    return p;
  }

  static void assertProportion(double p, long hits, String what) {
    double se = Math.sqrt(p * (1 - p) / N);
    double got = (double) hits / N;
    assertTrue(Math.abs(got - p) <= 4 * se, what + ": " + got + " vs " + p + " (4 se = " + 4 * se + ")");
  }

  static void assertChiSquare(double[] p, long[] counts, String what) {
    double chi2 = 0;
    for (int i = 0; i < p.length; i++) {
      double expected = N * p[i];
      chi2 += (counts[i] - expected) * (counts[i] - expected) / expected;
    }
    assertEquals(5, p.length, "the critical value is for 5 classes");
    assertTrue(chi2 < CHI_SQUARE_4_DOF_AT_0_001, what + ": chi-square " + chi2 + " >= " + CHI_SQUARE_4_DOF_AT_0_001);
  }

  @Test
  void bernoulliFromLogitsDrawsOnesWithProbabilitySigmoid() {
    double[][] y = OpRunner.sample(new BernoulliSample(), BERNOULLI_LOGITS, N, 1234, DataType.FLOAT);
    for (int c = 0; c < BERNOULLI_LOGITS.length; c++) {
      long ones = 0;
      for (double[] row : y) {
        assertTrue(row[c] == 0 || row[c] == 1, "draws are 0 or 1");
        if (row[c] == 1) ones++;
      }
      assertProportion(sigmoid(BERNOULLI_LOGITS[c]), ones, "column " + c + ", logit " + BERNOULLI_LOGITS[c]);
    }
  }

  @Test
  void bernoulliFromProbabilitiesDrawsOnesWithThatProbability() {
    double[] probs = {0.0, 0.05, 0.5, 0.9, 1.0};
    double[][] y = OpRunner.sample(new BernoulliSample(BernoulliSample.Parameter.PROBS), probs, N, 99, DataType.FLOAT);
    for (int c = 0; c < probs.length; c++) {
      long ones = 0;
      for (double[] row : y) if (row[c] == 1) ones++;
      if (probs[c] == 0 || probs[c] == 1) assertEquals((long) (probs[c] * N), ones, "probability " + probs[c] + " is certain");
      else assertProportion(probs[c], ones, "column " + c + ", probability " + probs[c]);
    }
  }

  @Test
  void categoricalDrawsOneHotRowsWithFrequenciesSoftmax() {
    long[] counts = argmaxCounts(OpRunner.sample(new CategoricalSample(), CATEGORY_LOGITS, N, 2024, DataType.FLOAT), true);
    assertChiSquare(softmax(CATEGORY_LOGITS), counts, "categorical sample");
  }

  @Test
  void relaxedBernoulliIsAboveOneHalfWithProbabilitySigmoid() {
    // y > 1/2 exactly when logits + logistic noise > 0, which has probability sigmoid(logits)
    // at every temperature (the rounding property of the binary Concrete, Maddison et al. 2017).
    double[] temperatures = {0.3, 1.0, 3.0};
    for (int t = 0; t < temperatures.length; t++) {
      double temperature = temperatures[t];
      double[][] y = OpRunner.sample(new RelaxedBernoulliRsample(temperature), BERNOULLI_LOGITS, N, 77 + t, DataType.FLOAT);
      for (int c = 0; c < BERNOULLI_LOGITS.length; c++) {
        long above = 0;
        for (double[] row : y) {
          assertTrue(row[c] >= 0 && row[c] <= 1, "draws lie in [0, 1]");
          if (row[c] > 0.5) above++;
        }
        assertProportion(sigmoid(BERNOULLI_LOGITS[c]), above, "temperature " + temperature + ", logit " + BERNOULLI_LOGITS[c]);
      }
    }
  }

  @Test
  void concreteArgmaxFollowsSoftmaxOfTheLogits() {
    // The Gumbel-max property: argmax of a Concrete draw is Categorical(softmax(logits)) at every
    // temperature (Maddison, Mnih and Teh 2017, prop. 1a, "rounding").
    double[] temperatures = {0.3, 1.0, 3.0};
    for (int t = 0; t < temperatures.length; t++) {
      double temperature = temperatures[t];
      double[][] rows = OpRunner.sample(new ConcreteRsample(temperature), CATEGORY_LOGITS, N, 31 + t, DataType.FLOAT);
      for (double[] row : rows) {
        double sum = 0;
        for (double v : row) sum += v;
        assertEquals(1.0, sum, 1e-5, "draws lie on the simplex");
      }
      assertChiSquare(softmax(CATEGORY_LOGITS), argmaxCounts(rows, false), "Concrete argmax, temperature " + temperature);
    }
  }

  /** How often each column holds its row's maximum; with {@code oneHot} also checks rows are one-hot. */
  static long[] argmaxCounts(double[][] rows, boolean oneHot) {
    long[] counts = new long[rows[0].length];
    for (double[] row : rows) {
      int best = 0;
      int ones = 0;
      for (int i = 0; i < row.length; i++) {
        if (row[i] > row[best]) best = i;
        if (row[i] == 1) ones++;
        if (oneHot) assertTrue(row[i] == 0 || row[i] == 1, "one-hot entries are 0 or 1");
      }
      if (oneHot) assertEquals(1, ones, "exactly one 1 per row");
      counts[best]++;
    }
    return counts;
  }
}
