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
import vaec.runtime.rng.NoiseSource;
import vaec.stdlib.Catalog;

/**
 * LogNormal(loc, scale): catalog entry, log-density against the closed form, the sampler's
 * moments and quantiles over 200,000 draws, the pathwise gradient against closed forms and finite
 * differences, and the closed-form KL against the closed formula and a Monte Carlo estimate.
 */
class LogNormalTest {
  static final int N = 200_000;
  static final double[] LOC = {0.2, -1.0};
  static final double[] SCALE = {0.5, 0.3};

  final LogNormal family = new LogNormal();

  @Test
  void catalogEntry() {
    DistributionFamily f = Catalog.standard().distribution("LogNormal").orElseThrow();
    assertSame(LogNormal.class, f.getClass());
    assertEquals("LogNormal(loc, scale)", f.signature());
    assertEquals(ValueDomain.REAL, f.support());
    assertTrue(f.hasPathwiseSampler());
    assertFalse(f.isDiscrete());
    assertTrue(f.relaxation().isEmpty());
    assertTrue(f.klTo(f).isPresent());
    assertTrue(f.klTo(new Normal()).isEmpty());
    assertTrue(new Normal().klTo(f).isEmpty());
  }

  @Test
  void logDensityIsTheClosedForm() {
    double[][] x = {{1.0, 0.37}, {0.05, 2.0}, {3.3, 0.9}, {12.0, 0.01}};
    double[] got = LocationScaleDraws.logProb(family, x, LOC, SCALE);
    for (int i = 0; i < x.length; i++) {
      double want = 0;
      for (int j = 0; j < 2; j++) {
        double d = (Math.log(x[i][j]) - LOC[j]) / SCALE[j];
        want += -0.5 * d * d - Math.log(SCALE[j] * x[i][j] * Math.sqrt(2 * Math.PI));
      }
      assertEquals(want, got[i], 1e-12, "row " + i);
    }
  }

  /**
   * Mean exp(loc + scale^2 / 2) within 4 standard errors (sd^2 = (e^{s^2} - 1) e^{2 loc + s^2});
   * log z has mean loc and variance scale^2 (4 standard errors, sqrt(2 s^4 / N) for the
   * variance); the fraction of draws below exp(loc + scale Phi^-1(p)) within 4 sqrt(p (1 - p) / N)
   * of p; every draw positive. Float32, as training runs.
   */
  @Test
  void samplerHasTheLogNormalMomentsAndQuantiles() {
    LocationScaleDraws.Draws draws = LocationScaleDraws.draw(family, LOC, SCALE, N, 31);
    double[][] cols = draws.columns();
    double[][] means = draws.means();
    double[] p = {0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99};
    double[] probit = {-2.3263478740408408, -1.2815515655446004, -0.6744897501960817, 0, 0.6744897501960817, 1.2815515655446004,
        2.3263478740408408};
    for (int j = 0; j < 2; j++) {
      double m = LOC[j];
      double s = SCALE[j];
      double[] z = cols[j];
      assertTrue(Arrays.stream(z).allMatch(t -> t > 0), "draws are positive");
      double want = Math.exp(m + s * s / 2);
      double sd = Math.sqrt((Math.exp(s * s) - 1) * Math.exp(2 * m + s * s));
      assertEquals(want, means[j][0], 1e-6 * want, "mean() is exp(loc + scale^2 / 2)");
      assertEquals(want, Arrays.stream(z).average().orElseThrow(), 4 * sd / Math.sqrt(N), "sample mean, column " + j);
      double[] logs = Arrays.stream(z).map(Math::log).toArray();
      double logMean = Arrays.stream(logs).average().orElseThrow();
      double logVar = Arrays.stream(logs).map(t -> (t - logMean) * (t - logMean)).sum() / (N - 1);
      assertEquals(m, logMean, 4 * s / Math.sqrt(N), "mean of log z");
      assertEquals(s * s, logVar, 4 * Math.sqrt(2 * Math.pow(s, 4) / N), "variance of log z");
      for (int k = 0; k < p.length; k++) {
        double q = Math.exp(m + s * probit[k]);
        long below = Arrays.stream(z).filter(t -> t <= q).count();
        assertEquals(p[k], (double) below / N, 4 * Math.sqrt(p[k] * (1 - p[k]) / N), "CDF at the " + p[k] + " quantile, column " + j);
      }
    }
  }

  /**
   * With f(z) = z: d/dloc E z = E z = exp(loc + s^2/2) and d/dscale E z = s exp(loc + s^2/2), each
   * Monte Carlo gradient over 200,000 draws within 4 standard errors (the pathwise terms are z and
   * z eps, whose second moments are e^{2 loc + 2 s^2} and e^{2 loc + 2 s^2} (1 + 4 s^2)); and,
   * with the noise held fixed, each gradient equals the central difference of the forward loss
   * (step 1e-5, double precision) to 1e-6 relative.
   */
  @Test
  void pathwiseGradientMatchesClosedFormsAndFiniteDifferences() {
    Graph g = new Graph();
    Node loc = g.param("loc", N, 2);
    Node scale = g.param("scale", N, 2);
    Node loss = g.apply(new RowSum(), SourceRef.NONE, family.rsample(g, SourceRef.NONE, Map.of("loc", loc, "scale", scale), 2, "z"));
    g.output("loss", loss);
    g.setLoss(loss);
    ParameterStore store = new ParameterStore(List.of(new ParamEntry("loc", new long[] {N, 2}), new ParamEntry("scale", new long[] {N, 2})),
        DataType.DOUBLE);
    store.value("loc").addiRowVector(Nd4j.createFromArray(LOC));
    store.value("scale").addiRowVector(Nd4j.createFromArray(SCALE));
    Executor ex = new Executor(g, N, store);
    ex.drawNoise(new NoiseSource(8), 0);
    ex.forward();
    ex.backward();
    assertNull(ex.firstNonFiniteGradient());
    for (int j = 0; j < 2; j++) {
      double m = LOC[j];
      double s = SCALE[j];
      double mean = Math.exp(m + s * s / 2);
      double second = Math.exp(2 * m + 2 * s * s);
      double dLoc = store.grad("loc").getColumn(j).sumNumber().doubleValue();
      double dScale = store.grad("scale").getColumn(j).sumNumber().doubleValue();
      assertEquals(mean, dLoc, 4 * Math.sqrt(second / N), "d/dloc E z, column " + j);
      assertEquals(s * mean, dScale, 4 * Math.sqrt(second * (1 + 4 * s * s) / N), "d/dscale E z, column " + j);
      for (String param : List.of("loc", "scale")) {
        INDArray col = store.value(param).getColumn(j);
        double h = 1e-5;
        col.addi(h);
        ex.forward();
        double up = ex.value("loss").meanNumber().doubleValue();
        col.subi(2 * h);
        ex.forward();
        double down = ex.value("loss").meanNumber().doubleValue();
        col.addi(h);
        double fd = (up - down) / (2 * h);
        double analytic = param.equals("loc") ? dLoc : dScale;
        assertEquals(fd, analytic, 1e-6 * Math.max(1, Math.abs(fd)), param + ", column " + j);
      }
    }
  }

  /**
   * The closed form KL(LogNormal(m1, s1) || LogNormal(m2, s2)) = log(s2 / s1) + (s1^2 + (m1 -
   * m2)^2) / (2 s2^2) - 1/2 per column, lowered both against a general prior and against (0, 1)
   * (the fused standard form); and it equals E_q[log q(z) - log p(z)] estimated with the family's
   * own sampler and density over 200,000 draws, within 4 standard errors of that estimate.
   */
  @Test
  void closedFormKlMatchesTheFormulaAndMonteCarlo() {
    double[] m2 = {0.5, -0.2};
    double[] s2 = {0.8, 1.5};
    KlRule rule = family.klTo(family).orElseThrow();
    Graph g = new Graph();
    Node qLoc = g.input("qloc", 2);
    Node qScale = g.input("qscale", 2);
    Node pLoc = g.input("ploc", 2);
    Node pScale = g.input("pscale", 2);
    Map<String, Node> q = Map.of("loc", qLoc, "scale", qScale);
    Map<String, Node> p = Map.of("loc", pLoc, "scale", pScale);
    g.output("kl", rule.lower(g, SourceRef.NONE, q, p));
    g.output("kl_std", rule.lower(g, SourceRef.NONE, q, Map.of("loc", g.constant(0, 2), "scale", g.constant(1, 2))));
    Node z = family.rsample(g, SourceRef.NONE, q, 2, "z");
    g.output("log_ratio", g.apply(new Binary(Binary.Kind.SUB), SourceRef.NONE,
        family.logProb(g, SourceRef.NONE, z, q), family.logProb(g, SourceRef.NONE, z, p)));
    Executor ex = new Executor(g, N, new ParameterStore(List.of(), DataType.DOUBLE));
    ex.input("qloc").addiRowVector(Nd4j.createFromArray(LOC));
    ex.input("qscale").addiRowVector(Nd4j.createFromArray(SCALE));
    ex.input("ploc").addiRowVector(Nd4j.createFromArray(m2));
    ex.input("pscale").addiRowVector(Nd4j.createFromArray(s2));
    ex.drawNoise(new NoiseSource(4), 0);
    ex.forward();
    double want = 0;
    double wantStd = 0;
    for (int j = 0; j < 2; j++) {
      want += Math.log(s2[j] / SCALE[j]) + (SCALE[j] * SCALE[j] + Math.pow(LOC[j] - m2[j], 2)) / (2 * s2[j] * s2[j]) - 0.5;
      wantStd += -Math.log(SCALE[j]) + (SCALE[j] * SCALE[j] + LOC[j] * LOC[j]) / 2 - 0.5;
    }
    assertEquals(want, ex.value("kl").getDouble(0, 0), 1e-12);
    assertEquals(wantStd, ex.value("kl_std").getDouble(0, 0), 1e-12);
    double[] r = ex.value("log_ratio").dup().data().asDouble();
    double mc = Arrays.stream(r).average().orElseThrow();
    double sd = Math.sqrt(Arrays.stream(r).map(t -> (t - mc) * (t - mc)).sum() / (N - 1));
    assertEquals(want, mc, 4 * sd / Math.sqrt(N), "Monte Carlo KL");
  }


}
