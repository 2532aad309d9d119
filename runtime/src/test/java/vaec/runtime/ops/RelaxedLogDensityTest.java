package vaec.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.checkpoint.Checkpoint.ParamEntry;
import vaec.runtime.exec.Executor;
import vaec.runtime.exec.ParameterStore;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;

/**
 * The relaxed log-density ops against closed forms written out here in float64, independently of
 * the ops' own rearrangements: Maddison et al.'s binary Concrete density as published, and the
 * Concrete density in its product form (Maddison, Mnih and Teh 2017, definition 1). Then the binary
 * density must integrate to 1, and the k = 2 Concrete density must be the binary one of the logit
 * difference.
 */
class RelaxedLogDensityTest {
  static final double[] TEMPERATURES = {0.3, 1.0, 2.5};

  /** log p(y) = log lambda + a - (lambda+1)(log y + log(1-y)) - 2 log(e^a y^-lambda + (1-y)^-lambda). */
  static double binaryConcrete(double y, double a, double lambda) {
    return Math.log(lambda) + a - (lambda + 1) * (Math.log(y) + Math.log(1 - y))
        - 2 * Math.log(Math.exp(a) * Math.pow(y, -lambda) + Math.pow(1 - y, -lambda));
  }

  /** log of (k-1)! lambda^(k-1) prod_j e^alpha_j y_j^(-lambda-1) / sum_i e^alpha_i y_i^(-lambda). */
  static double concrete(double[] y, double[] alpha, double lambda) {
    int k = y.length;
    double denominator = 0;
    for (int i = 0; i < k; i++) denominator += Math.exp(alpha[i]) * Math.pow(y[i], -lambda);
    double p = Math.pow(lambda, k - 1);
    for (int j = 2; j < k; j++) p *= j;
    for (int j = 0; j < k; j++) p *= Math.exp(alpha[j]) * Math.pow(y[j], -lambda - 1) / denominator;
    return Math.log(p);
  }

  @Test
  void relaxedBernoulliMatchesThePublishedDensity() {
    double[] ys = {0.03, 0.3, 0.5, 0.82, 0.999};
    double[] as = {-2.5, 0.0, 1.3};
    double[][] values = new double[ys.length * as.length][];
    double[][] logits = new double[values.length][];
    for (int i = 0; i < ys.length; i++) {
      for (int j = 0; j < as.length; j++) {
        // Two columns per row: the op sums them, so the row's expectation is a sum too.
        values[i * as.length + j] = new double[] {ys[i], 1 - ys[i]};
        logits[i * as.length + j] = new double[] {as[j], -as[j]};
      }
    }
    for (double lambda : TEMPERATURES) {
      double[] got = OpRunner.evaluate(new RelaxedBernoulliLogProb(lambda), values, logits, DataType.DOUBLE);
      for (int r = 0; r < values.length; r++) {
        double want = binaryConcrete(values[r][0], logits[r][0], lambda) + binaryConcrete(values[r][1], logits[r][1], lambda);
        assertEquals(want, got[r], 1e-10 * (1 + Math.abs(want)), "lambda " + lambda + " row " + r);
      }
    }
  }

  @Test
  void concreteMatchesTheProductForm() {
    Random random = new Random(7);
    for (int k : new int[] {3, 5}) {
      int rows = 6;
      double[][] values = new double[rows][k];
      double[][] logits = new double[rows][k];
      for (int r = 0; r < rows; r++) {
        double sum = 0;
        for (int i = 0; i < k; i++) {
          values[r][i] = Math.exp(1.5 * random.nextGaussian());    // a point of the simplex
          sum += values[r][i];
          logits[r][i] = random.nextGaussian();
        }
        for (int i = 0; i < k; i++) values[r][i] /= sum;
      }
      for (double lambda : TEMPERATURES) {
        double[] got = OpRunner.evaluate(new ConcreteLogProb(lambda), values, logits, DataType.DOUBLE);
        for (int r = 0; r < rows; r++) {
          double want = concrete(values[r], logits[r], lambda);
          assertEquals(want, got[r], 1e-9 * (1 + Math.abs(want)), "k " + k + " lambda " + lambda + " row " + r);
        }
      }
    }
  }

  @Test
  void twoClassConcreteIsTheBinaryConcreteOfTheLogitDifference() {
    // On the simplex {(y, 1 - y)} the Concrete density is a density of y alone, so no Jacobian
    // appears: Concrete((y, 1-y); (a1, a2)) = BinaryConcrete(y; a1 - a2).
    double[][] simplex = {{0.05, 0.95}, {0.4, 0.6}, {0.5, 0.5}, {0.93, 0.07}};
    double[][] pairs = {{0.3, -1.2}, {2.0, 2.0}, {-0.7, 1.1}, {1.5, 0.2}};
    double[][] y = new double[simplex.length][1];
    double[][] difference = new double[simplex.length][1];
    for (int r = 0; r < simplex.length; r++) {
      y[r][0] = simplex[r][0];
      difference[r][0] = pairs[r][0] - pairs[r][1];
    }
    for (double lambda : TEMPERATURES) {
      double[] twoClass = OpRunner.evaluate(new ConcreteLogProb(lambda), simplex, pairs, DataType.DOUBLE);
      double[] binary = OpRunner.evaluate(new RelaxedBernoulliLogProb(lambda), y, difference, DataType.DOUBLE);
      for (int r = 0; r < simplex.length; r++) {
        double want = binaryConcrete(y[r][0], difference[r][0], lambda);
        assertEquals(want, twoClass[r], 1e-10 * (1 + Math.abs(want)), "Concrete, lambda " + lambda + " row " + r);
        assertEquals(want, binary[r], 1e-10 * (1 + Math.abs(want)), "binary, lambda " + lambda + " row " + r);
      }
    }
  }

  @Test
  void relaxedBernoulliDensityIntegratesToOne() {
    int n = 200_000;
    // Temperatures >= 1: the density is bounded on (0, 1); the midpoint rule on a grid of y.
    for (double lambda : new double[] {1.0, 2.0, 3.0}) {
      for (double a : new double[] {-1.5, 0.0, 2.0}) {
        double[][] y = new double[n][1];
        double[][] logits = new double[n][1];
        for (int i = 0; i < n; i++) {
          y[i][0] = (i + 0.5) / n;
          logits[i][0] = a;
        }
        double integral = 0;
        for (double lp : OpRunner.evaluate(new RelaxedBernoulliLogProb(lambda), y, logits, DataType.DOUBLE)) {
          integral += Math.exp(lp) / n;
        }
        assertEquals(1.0, integral, 1e-3, "lambda " + lambda + " a " + a);
      }
    }
    // Temperatures < 1: the density grows without bound at 0 and 1, so integrate in x = logit(y),
    // where the integrand p(sigmoid(x)) sigmoid'(x) is smooth. Beyond |x| = 36 sigmoid(x) rounds
    // to 1 in float64; the mass left out there is below e^(-36 lambda + |a|) < 1e-6.
    for (double lambda : new double[] {0.5, 0.8}) {
      for (double a : new double[] {-1.0, 0.7}) {
        double lo = -36;
        double h = 72.0 / n;
        double[][] y = new double[n][1];
        double[][] logits = new double[n][1];
        double[] jacobian = new double[n];
        for (int i = 0; i < n; i++) {
          double s = 1 / (1 + Math.exp(-(lo + (i + 0.5) * h)));
          y[i][0] = s;
          logits[i][0] = a;
          jacobian[i] = s * (1 - s);
        }
        double[] lp = OpRunner.evaluate(new RelaxedBernoulliLogProb(lambda), y, logits, DataType.DOUBLE);
        double integral = 0;
        for (int i = 0; i < n; i++) integral += Math.exp(lp[i]) * jacobian[i] * h;
        assertEquals(1.0, integral, 1e-3, "lambda " + lambda + " a " + a);
      }
    }
  }

  @Test
  void float32SamplesThatRoundedToTheBoundaryScoreFinitely() {
    // A float32 relaxed draw at a low temperature is often exactly 0 or 1. The floor keeps the
    // log-density and its gradients finite; the floored log contributes no gradient, so only the
    // other terms remain (without the mask they would be of order 1 / Float.MIN_NORMAL).
    double lambda = 0.3;
    float[][] values = {{0f, 1f, 0.4f}, {1f, 0.5f, 0f}};
    float[][] logits = {{0.5f, -1f, 2f}, {-0.3f, 0.8f, 0f}};
    INDArray binary = gradientOfValue(new RelaxedBernoulliLogProb(lambda), values, logits);
    for (int r = 0; r < values.length; r++) {
      for (int c = 0; c < values[0].length; c++) {
        // At y = 0 the t of the density is about +26 and at y = 1 about -26, so r = 1 - 2 sigmoid(t)
        // is -1 or +1 and d/dy = (1 - lambda r) / 1 or -(1 + lambda r) / 1: +-(1 + lambda), over the
        // batch of 2 that the mean loss divides by.
        double want = values[r][c] == 0f ? (1 + lambda) / 2 : values[r][c] == 1f ? -(1 + lambda) / 2 : Double.NaN;
        if (!Double.isNaN(want)) assertEquals(want, binary.getDouble(r, c), 1e-6, "binary d/dy at " + r + "," + c);
      }
    }
    float[][] simplex = {{0f, 1f, 0f}, {0.25f, 0f, 0.75f}};
    INDArray concrete = gradientOfValue(new ConcreteLogProb(lambda), simplex, logits);
    for (int r = 0; r < simplex.length; r++) {
      for (int c = 0; c < simplex[0].length; c++) {
        if (simplex[r][c] == 0f) assertEquals(0.0, concrete.getDouble(r, c), 0.0, "Concrete d/dy at " + r + "," + c);
      }
    }
  }

  /** d(mean of op(value, logits))/d value in float32, after checking values and gradients are finite. */
  private static INDArray gradientOfValue(vaec.runtime.graph.Op op, float[][] values, float[][] logits) {
    int rows = values.length;
    int w = values[0].length;
    Graph g = new Graph();
    Node y = g.param("value", rows, w);
    Node l = g.param("logits", rows, w);
    g.setLoss(g.apply(op, SourceRef.NONE, y, l));
    ParameterStore store = new ParameterStore(List.of(new ParamEntry("value", new long[] {rows, w}),
        new ParamEntry("logits", new long[] {rows, w})), DataType.FLOAT);
    store.value("value").assign(Nd4j.createFromArray(values));
    store.value("logits").assign(Nd4j.createFromArray(logits));
    Executor ex = new Executor(g, rows, store);
    ex.forward();
    ex.backward();
    assertEquals(null, ex.firstNonFiniteValue(), op.describe() + " value");
    assertEquals(null, ex.firstNonFiniteGradient(), op.describe() + " gradient");
    return store.grad("value");
  }
}
