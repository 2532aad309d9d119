package vaec.stdlib.distributions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.checkpoint.Checkpoint.ParamEntry;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.exec.Executor;
import vaec.runtime.exec.ParameterStore;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.ops.Binary;
import vaec.runtime.ops.RowSum;
import vaec.runtime.ops.Unary;
import vaec.runtime.rng.NoiseSource;
import vaec.stdlib.Catalog;

/**
 * Laplace(loc, scale): catalog entry, log-density against the closed form, the sampler's moments
 * and quantiles over 200,000 draws, and the pathwise gradient against closed forms and against
 * central finite differences under the same noise.
 */
class LaplaceTest {
  static final int N = 200_000;
  static final double[] LOC = {0.7, -2.0};
  static final double[] SCALE = {1.3, 0.4};

  final Laplace laplace = new Laplace();

  @Test
  void catalogEntry() {
    DistributionFamily f = Catalog.standard().distribution("Laplace").orElseThrow();
    assertSame(Laplace.class, f.getClass());
    assertEquals("Laplace(loc, scale)", f.signature());
    assertEquals(ValueDomain.REAL, f.support());
    assertTrue(f.hasPathwiseSampler());
    assertFalse(f.isDiscrete());
    assertTrue(f.relaxation().isEmpty());
    assertTrue(f.klTo(f).isEmpty(), "Monte Carlo KL");
  }

  @Test
  void logDensityIsTheClosedForm() {
    double[][] x = {{0.7, -2.0}, {3.1, -1.5}, {-4.0, 0.25}, {0.0, -2.4}, {12.0, -9.0}};
    double[] got = LocationScaleDraws.logProb(laplace, x, LOC, SCALE);
    for (int i = 0; i < x.length; i++) {
      double want = 0;
      for (int j = 0; j < 2; j++) want += -Math.abs(x[i][j] - LOC[j]) / SCALE[j] - Math.log(2 * SCALE[j]);
      assertEquals(want, got[i], 1e-12, "row " + i);
    }
  }

  /**
   * Mean loc and variance 2 scale^2 within 4 standard errors (for the variance, sqrt(20 scale^4 / N):
   * the Laplace fourth central moment is 24 scale^4); at each quantile q_p of the closed-form CDF,
   * the fraction of draws below q_p within 4 sqrt(p (1 - p) / N) of p. Float32, as training runs.
   */
  @Test
  void samplerHasTheLaplaceMomentsAndQuantiles() {
    LocationScaleDraws.Draws d = LocationScaleDraws.draw(laplace, LOC, SCALE, N, 2024);
    double[][] cols = d.columns();
    double[][] means = d.means();
    for (int j = 0; j < 2; j++) {
      double b = SCALE[j];
      double[] z = cols[j];
      double mean = Arrays.stream(z).average().orElseThrow();
      double var = Arrays.stream(z).map(t -> (t - mean) * (t - mean)).sum() / (N - 1);
      assertEquals(LOC[j], means[j][0], 1e-6, "mean() is loc");
      assertEquals(LOC[j], mean, 4 * Math.sqrt(2 * b * b / N), "sample mean, column " + j);
      assertEquals(2 * b * b, var, 4 * Math.sqrt(20 * Math.pow(b, 4) / N), "sample variance, column " + j);
      for (double p : new double[] {0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99}) {
        double q = p < 0.5 ? LOC[j] + b * Math.log(2 * p) : LOC[j] - b * Math.log(2 - 2 * p);
        long below = Arrays.stream(z).filter(t -> t <= q).count();
        assertEquals(p, (double) below / N, 4 * Math.sqrt(p * (1 - p) / N), "CDF at the " + p + " quantile, column " + j);
      }
    }
  }

  /**
   * With f(z) = |z - loc0| (loc0 the constant value of loc): d/dscale E f = E|eps| = 1 and
   * d/dloc E f = E sign(z - loc0) = 0; with f(z) = z, d/dloc E f = 1 exactly. Each Monte Carlo
   * gradient over 200,000 draws within 4 standard errors (the standard deviations of |eps| and of
   * sign are both 1).
   */
  @Test
  void pathwiseGradientMatchesTheClosedForms() {
    Run r = new Run(laplace, DataType.DOUBLE, Loss.SUM);
    r.forwardBackward();
    assertEquals(1.0, r.gradSum("loc", 0), 1e-9, "d/dloc E[z]");
    assertEquals(0.0, r.gradSum("scale", 0), 4 / Math.sqrt(N), "d/dscale E[z] = E[eps] = 0");

    Run a = new Run(laplace, DataType.DOUBLE, Loss.ABS_FROM_LOC);
    a.forwardBackward();
    assertEquals(1.0, a.gradSum("scale", 0), 4 / Math.sqrt(N), "d/dscale E|z - loc|");
    assertEquals(0.0, a.gradSum("loc", 0), 4 / Math.sqrt(N), "d/dloc E|z - loc0|");
  }

  /**
   * The backward pass is the derivative of the forward one: with the noise held fixed, the
   * gradient of mean (z^2) in loc and in scale equals the central difference of the forward loss
   * (step 1e-5, double precision) to 1e-6 relative.
   */
  @Test
  void pathwiseGradientMatchesFiniteDifferencesUnderCommonNoise() {
    Run r = new Run(laplace, DataType.DOUBLE, Loss.SQUARES);
    r.forwardBackward();
    for (String p : List.of("loc", "scale")) {
      double analytic = r.gradSum(p, 0);
      double fd = r.centralDifference(p, 0, 1e-5);
      assertEquals(fd, analytic, 1e-6 * Math.max(1, Math.abs(fd)), p);
    }
    // And the values agree with the closed forms: d/dloc E z^2 = 2 loc, d/dscale = 4 scale.
    assertEquals(2 * LOC[0], r.gradSum("loc", 0), 4 * Math.sqrt(8 * SCALE[0] * SCALE[0] / N));
  }

  /** f in the loss sum_j f(z_j): z, z^2, or |z - LOC| with LOC a constant input. */
  enum Loss { SUM, SQUARES, ABS_FROM_LOC }

  /** One graph: loc and scale as N x 2 parameters holding LOC and SCALE, z drawn pathwise, a loss. */
  static final class Run {
    final ParameterStore store;
    final Executor ex;

    Run(DistributionFamily family, DataType dtype, Loss f) {
      Graph g = new Graph();
      Node loc = g.param("loc", N, 2);
      Node scale = g.param("scale", N, 2);
      Node z = family.rsample(g, SourceRef.NONE, Map.of("loc", loc, "scale", scale), 2, "z");
      Node perColumn = switch (f) {
        case SUM -> z;
        case SQUARES -> g.apply(new Unary(Unary.Fn.SQUARE), SourceRef.NONE, z);
        case ABS_FROM_LOC -> g.apply(new Unary(Unary.Fn.ABS), SourceRef.NONE,
            g.apply(new Binary(Binary.Kind.SUB), SourceRef.NONE, z, g.input("loc0", 2)));
      };
      Node loss = g.apply(new RowSum(), SourceRef.NONE, perColumn);
      g.output("loss", loss);
      g.setLoss(loss);
      store = new ParameterStore(List.of(new ParamEntry("loc", new long[] {N, 2}), new ParamEntry("scale", new long[] {N, 2})), dtype);
      store.value("loc").addiRowVector(Nd4j.createFromArray(LOC).castTo(dtype));
      store.value("scale").addiRowVector(Nd4j.createFromArray(SCALE).castTo(dtype));
      ex = new Executor(g, N, store);
      if (f == Loss.ABS_FROM_LOC) ex.input("loc0").addiRowVector(Nd4j.createFromArray(LOC).castTo(dtype));
      ex.drawNoise(new NoiseSource(77), 0);
    }

    void forwardBackward() {
      ex.forward();
      ex.backward();
      assertNull(ex.firstNonFiniteGradient());
    }

    /** The gradient of the mean loss summed over all rows of column j: d E f / d param_j. */
    double gradSum(String param, int j) {
      return store.grad(param).getColumn(j).sumNumber().doubleValue();
    }

    double meanLoss() {
      ex.forward();
      return ex.value("loss").meanNumber().doubleValue();
    }

    /** (L(p_j + h) - L(p_j - h)) / 2h with every row's p_j moved and the noise unchanged. */
    double centralDifference(String param, int j, double h) {
      INDArray col = store.value(param).getColumn(j);
      col.addi(h);
      double up = meanLoss();
      col.subi(2 * h);
      double down = meanLoss();
      col.addi(h);
      return (up - down) / (2 * h);
    }
  }
}
