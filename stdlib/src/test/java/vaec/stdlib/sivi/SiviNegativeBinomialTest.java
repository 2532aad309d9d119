package vaec.stdlib.sivi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The semi-implicit guide on 003's negative-binomial model, against its exact posterior (a grid
 * integral): the surrogate bound L_K lies below log p(x) and rises toward it as K grows.
 */
class SiviNegativeBinomialTest {
  static final Path DATA = Path.of("..", "examples", "data", "nb_counts.csv");
  // the priors examples/data/make_nb_counts.py draws from
  static final double SHAPE = 2, RATE = 0.5, ALPHA = 2, BETA = 2;

  static int[] countsOfRow(int row) throws IOException {
    List<String> lines = Files.readAllLines(DATA);
    String[] cells = lines.get(1 + row).split(",");
    int[] x = new int[10];
    for (int j = 0; j < 10; j++) x[j] = Integer.parseInt(cells[j]);
    return x;
  }

  static NegativeBinomialModel model(int row) throws IOException {
    return new NegativeBinomialModel(countsOfRow(row), SHAPE, RATE, ALPHA, BETA);
  }

  static NegativeBinomialModel.GridPosterior exact(NegativeBinomialModel m, int points) {
    return m.exactPosterior(points, -8, 8, -15, 15);
  }

  @Test
  void gradientOfTheModelMatchesFiniteDifferences() throws IOException {
    NegativeBinomialModel m = model(0);
    double[] g = new double[2];
    for (double[] z : new double[][] {{0.3, -0.7}, {1.9, 0.4}, {-1.2, 2.5}}) {
      m.logDensity(z, g);
      for (int j = 0; j < 2; j++) {
        double h = 1e-5;
        double[] a = z.clone(), b = z.clone();
        a[j] += h;
        b[j] -= h;
        double fd = (m.logDensity(a, null) - m.logDensity(b, null)) / (2 * h);
        assertEquals(fd, g[j], 1e-5 * Math.max(1, Math.abs(fd)), "d/dz" + j + " at " + z[0] + ", " + z[1]);
      }
    }
  }

  @Test
  void gradientOfTheSurrogateMatchesFiniteDifferences() throws IOException {
    NegativeBinomialModel m = model(0);
    SemiImplicitGuide q = new SemiImplicitGuide(2, 3, 5, -0.5, new Random(1));
    double[] theta = q.parameters();
    int[] ks = {7};
    double[] grad = new double[theta.length];
    q.surrogate(m, ks, new Random(42), grad);
    for (int i = 0; i < theta.length; i++) {
      double h = 1e-6;
      double keep = theta[i];
      theta[i] = keep + h;
      double up = q.surrogate(m, ks, new Random(42), null)[0];
      theta[i] = keep - h;
      double down = q.surrogate(m, ks, new Random(42), null)[0];
      theta[i] = keep;
      double fd = (up - down) / (2 * h);
      assertEquals(fd, grad[i], 1e-5 * Math.max(1, Math.abs(fd)), "parameter " + i);
    }
  }

  @Test
  void theGridIntegralHasConverged() throws IOException {
    NegativeBinomialModel m = model(0);
    assertEquals(exact(m, 400).logEvidence(), exact(m, 800).logEvidence(), 1e-6);
  }

  @Test
  void badPriorParametersAndCountsAreRefusedWithTheValue() {
    var e = assertThrows(IllegalArgumentException.class, () -> new NegativeBinomialModel(new int[] {1}, -1, 1, 1, 1));
    assertTrue(e.getMessage().contains("shape") && e.getMessage().contains("-1"), e.getMessage());
    var c = assertThrows(IllegalArgumentException.class, () -> new NegativeBinomialModel(new int[] {1, -2}, 1, 1, 1, 1));
    assertTrue(c.getMessage().contains("-2"), c.getMessage());
  }

  /**
   * Row 0 of the data (10 counts), the guide trained with K = 20 extra mixing draws for 3,000 Adam
   * steps of 8 draws (fixed seeds), then L_K estimated from 20,000 paired draws for K = 0 .. 500.
   * Tolerances: each L_K is below log p(x) by more than 3 standard errors; each step up in K raises
   * the bound by more than 3 standard errors of the paired gain; at K = 500 the bound is within
   * 0.35 nats of log p(x) (measured 0.20) and above the best K = 0 training (a single Gaussian in
   * (log r, logit p), what SIVI degenerates to without the extra draws) by more than 3 standard errors.
   */
  @Test
  void siviBoundIsBelowTheExactLogEvidenceAndRisesTowardItAsKGrows() throws IOException {
    NegativeBinomialModel m = model(0);
    NegativeBinomialModel.GridPosterior post = exact(m, 800);
    double logZ = post.logEvidence();
    SemiImplicitGuide q = new SemiImplicitGuide(2, 3, 20, -1, new Random(0));
    q.train(m, 20, 3000, 8, 0.01, new Random(1));
    int[] ks = {0, 1, 5, 50, 500};
    SemiImplicitGuide.Bounds b = q.estimate(m, ks, 20000, new Random(2));

    SemiImplicitGuide gaussian = new SemiImplicitGuide(2, 3, 20, -1, new Random(0));
    gaussian.train(m, 0, 3000, 8, 0.01, new Random(1));
    SemiImplicitGuide.Bounds g = gaussian.estimate(m, new int[] {0, 500}, 20000, new Random(2));

    StringBuilder report = new StringBuilder(String.format("log p(x) = %.4f (grid 800 x 800); exact E[r] = %.3f, E[p] = %.3f, corr(log r, logit p) = %.3f",
        logZ, post.meanR(), post.meanP(), post.correlationUV()));
    for (int i = 0; i < ks.length; i++) {
      report.append(String.format("%n  SIVI, K = %d: L_K = %.4f +- %.4f, gain over the previous K %.4f +- %.4f", ks[i], b.mean()[i],
          b.standardError()[i], b.gain()[i], b.gainStandardError()[i]));
    }
    report.append(String.format("%n  trained with K = 0: L_0 = %.4f +- %.4f, L_500 = %.4f +- %.4f", g.mean()[0], g.standardError()[0],
        g.mean()[1], g.standardError()[1]));
    double[] mom = moments(q, new Random(3), 20000);
    double[] momG = moments(gaussian, new Random(3), 20000);
    report.append(String.format("%n  SIVI draws: E[r] = %.3f, E[p] = %.3f, corr = %.3f; K = 0 guide: E[r] = %.3f, E[p] = %.3f, corr = %.3f",
        mom[0], mom[1], mom[2], momG[0], momG[1], momG[2]));
    System.out.println(report);

    for (int i = 0; i < ks.length; i++) {
      assertTrue(b.mean()[i] + 3 * b.standardError()[i] < logZ, "L_" + ks[i] + " is not below log p(x)\n" + report);
      if (i > 0) assertTrue(b.gain()[i] > 3 * b.gainStandardError()[i], "L_K did not rise from K = " + ks[i - 1] + " to " + ks[i] + "\n" + report);
    }
    int last = ks.length - 1;
    assertTrue(logZ - b.mean()[last] < 0.35, "L_500 is not within 0.35 nats of log p(x)\n" + report);
    assertTrue(b.mean()[last] - g.mean()[0] > 3 * Math.hypot(b.standardError()[last], g.standardError()[0]),
        "SIVI did not beat its degenerate K = 0 form\n" + report);
  }

  /** E[r], E[p] and corr(log r, logit p) of a guide's draws. */
  static double[] moments(SemiImplicitGuide q, Random rng, int n) {
    double er = 0, ep = 0, eu = 0, ev = 0, euu = 0, evv = 0, euv = 0;
    for (int t = 0; t < n; t++) {
      double[] z = q.draw(rng);
      er += Math.exp(z[0]);
      ep += 1 / (1 + Math.exp(-z[1]));
      eu += z[0];
      ev += z[1];
      euu += z[0] * z[0];
      evv += z[1] * z[1];
      euv += z[0] * z[1];
    }
    double mu = eu / n, mv = ev / n;
    return new double[] {er / n, ep / n, (euv / n - mu * mv) / Math.sqrt((euu / n - mu * mu) * (evv / n - mv * mv))};
  }
}
