package vaec.cli.pictures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PcaTest {
  @Test
  void firstTwoComponentsAreTheKnownDirectionsOfASyntheticSet() {
    // Points = mean + 3 a u + 1 b w + 0.1 noise, with u and w orthonormal in R^6 and a, b, noise
    // standard normal: the covariance has eigenvalues 9.01 (u), 1.01 (w) and 0.01 (four times).
    int d = 6;
    double[] u = unit(new double[] {1, 2, 0, -1, 3, 1});
    double[] w = unit(orthogonalise(new double[] {0, 1, 1, 1, 0, -1}, u));
    double[] mean = {5, -3, 2, 0, 1, 10};
    Random rng = new Random(42);
    int n = 4000;
    double[][] rows = new double[n][d];
    for (int i = 0; i < n; i++) {
      double a = 3 * rng.nextGaussian();
      double b = rng.nextGaussian();
      for (int j = 0; j < d; j++) rows[i][j] = mean[j] + a * u[j] + b * w[j] + 0.1 * rng.nextGaussian();
    }

    Pca pca = Pca.fit(rows, 2);

    // Sampling error of a direction is about sigma_noise / (sigma_main sqrt(n)) ~ 5e-4.
    assertEquals(1, Math.abs(dot(pca.components[0], u)), 1e-3);
    assertEquals(1, Math.abs(dot(pca.components[1], w)), 1e-2);
    assertEquals(0, dot(pca.components[0], pca.components[1]), 1e-12, "orthogonal");
    assertEquals(1, dot(pca.components[1], pca.components[1]), 1e-12, "unit length");
    // The variances have a relative sampling error of about sqrt(2 / n) ~ 2%; allow 4 sigma.
    assertEquals(9.01, pca.variances[0], 0.09 * 9.01);
    assertEquals(1.01, pca.variances[1], 0.09 * 1.01);
    assertEquals(9.01 + 1.01 + 4 * 0.01, pca.totalVariance, 0.09 * 10.06);
    for (int j = 0; j < d; j++) assertEquals(mean[j], pca.mean[j], 0.25, "mean " + j);

    // Projections are centred, with the component's variance, and uncorrelated.
    double s0 = 0, s1 = 0, ss0 = 0, s01 = 0;
    for (double[] r : rows) {
      double[] p = pca.project(r);
      s0 += p[0];
      s1 += p[1];
      ss0 += p[0] * p[0];
      s01 += p[0] * p[1];
    }
    assertEquals(0, s0 / n, 1e-9);
    assertEquals(0, s1 / n, 1e-9);
    assertEquals(pca.variances[0], ss0 / (n - 1), 1e-9 * pca.variances[0]);
    assertEquals(0, s01 / (n - 1), 1e-9);
  }

  @Test
  void signsAreFixedSoThatTheLargestEntryIsPositive() {
    double[][] rows = {{0, 0, 0}, {-1, -10, 0}, {1, 10, 0}, {0.5, 4, 0.1}};
    Pca pca = Pca.fit(rows, 2);
    for (double[] c : pca.components) {
      int largest = 0;
      for (int j = 1; j < c.length; j++) if (Math.abs(c[j]) > Math.abs(c[largest])) largest = j;
      assertTrue(c[largest] > 0);
    }
  }

  @Test
  void eigenDecompositionOfAKnownSymmetricMatrix() {
    // Random symmetric 12x12 matrix: A v = lambda v for every pair, the values in decreasing
    // order, and the vectors orthonormal.
    Random rng = new Random(5);
    int d = 12;
    double[][] a = new double[d][d];
    for (int i = 0; i < d; i++) {
      for (int j = i; j < d; j++) a[i][j] = a[j][i] = rng.nextGaussian();
    }
    Pca.Eigen e = Pca.symmetricEigen(a);
    for (int k = 0; k < d; k++) {
      if (k > 0) assertTrue(e.values()[k] <= e.values()[k - 1]);
      for (int i = 0; i < d; i++) {
        double av = 0;
        for (int j = 0; j < d; j++) av += a[i][j] * e.vectors()[k][j];
        assertEquals(e.values()[k] * e.vectors()[k][i], av, 1e-10, "eigenpair " + k + " row " + i);
      }
      for (int l = 0; l < d; l++) assertEquals(k == l ? 1 : 0, dot(e.vectors()[k], e.vectors()[l]), 1e-10);
    }
    // A diagonal matrix is already diagonal: its values, sorted, and unit vectors.
    Pca.Eigen diag = Pca.symmetricEigen(new double[][] {{1, 0, 0}, {0, 3, 0}, {0, 0, 2}});
    assertEquals(3, diag.values()[0]);
    assertEquals(1, diag.vectors()[0][1]);
    assertEquals(2, diag.values()[1]);
    assertEquals(1, diag.vectors()[1][2]);
  }

  @Test
  void identicalPointsHaveNoVariance() {
    Pca pca = Pca.fit(new double[][] {{1, 2, 3}, {1, 2, 3}}, 2);
    assertEquals(0, pca.totalVariance);
    assertEquals(0, pca.variances[0]);
    assertEquals(0, pca.project(new double[] {1, 2, 3})[0]);
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }

  private static double[] unit(double[] v) {
    double n = Math.sqrt(dot(v, v));
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) out[i] = v[i] / n;
    return out;
  }

  private static double[] orthogonalise(double[] v, double[] unit) {
    double p = dot(v, unit);
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) out[i] = v[i] - p * unit[i];
    return out;
  }
}
