package vaec.runtime.ops;

/**
 * A Householder Sylvester flow step (van den Berg et al. 2018): z' = z + Q R tanh(R~ Q^T z + b),
 * with Q = H_1 ... H_M a product of M Householder reflections (orthogonal), R and R~ upper
 * triangular with diagonals tanh(r') and tanh(r~') in (-1, 1), so that r_ii r~_ii > -1 and every
 * step is invertible. log|det| = sum_i log(1 + r_ii r~_ii (1 - tanh^2(c_i))), c = R~ Q^T z + b.
 * theta = (R's upper triangle row by row, R~'s, b, v_1, ..., v_M).
 */
public final class SylvesterStep extends FlowStep {
  private final int m;
  private final int tri;
  private final int[][] at;

  public SylvesterStep(int d, int reflections, boolean global) {
    super(d, new int[] {d * (d + 1) / 2, d * (d + 1) / 2, d, reflections * d}, global, 0);
    this.m = reflections;
    this.tri = d * (d + 1) / 2;
    this.at = new int[d][d];
    int k = 0;
    for (int i = 0; i < d; i++) for (int j = i; j < d; j++) at[i][j] = k++;
  }

  public static int parameters(int d, int reflections) { return d * (d + 1) + d + reflections * d; }

  private double r(double[] th, int base, int i, int j) {
    double v = th[base + at[i][j]];
    return i == j ? Math.tanh(v) : v;
  }

  private int vOff(int k) { return 2 * tri + d + k * d; }

  /** The forward pass's intermediates: s[k] = H_k ... H_1 z (s[0] = z), c, hh, e, t[k] = H_{k+1} ... H_M e (t[M] = e). */
  private final class Pass {
    final double[][] s = new double[m + 1][];
    final double[] c = new double[d];
    final double[] hh = new double[d];
    final double[] e = new double[d];
    final double[][] t = new double[m + 1][];
    double logDet;

    Pass(double[] z, double[] th) {
      s[0] = z.clone();
      for (int k = 0; k < m; k++) {
        s[k + 1] = new double[d];
        HouseholderStep.reflect(th, vOff(k), d, s[k], s[k + 1]);
      }
      double[] a = s[m];
      for (int i = 0; i < d; i++) {
        double v = th[2 * tri + i];
        for (int j = i; j < d; j++) v += r(th, tri, i, j) * a[j];
        c[i] = v;
        hh[i] = Math.tanh(v);
      }
      for (int i = 0; i < d; i++) {
        double v = 0;
        for (int j = i; j < d; j++) v += r(th, 0, i, j) * hh[j];
        e[i] = v;
      }
      t[m] = e.clone();
      for (int k = m - 1; k >= 0; k--) {
        t[k] = new double[d];
        HouseholderStep.reflect(th, vOff(k), d, t[k + 1], t[k]);
      }
      double ld = 0;
      for (int i = 0; i < d; i++) ld += Math.log1p(r(th, 0, i, i) * r(th, tri, i, i) * (1 - hh[i] * hh[i]));
      logDet = ld;
    }
  }

  @Override
  public double forwardRow(double[] z, double[] th, double[] ctx, double[] out) {
    Pass p = new Pass(z, th);
    for (int i = 0; i < d; i++) out[i] = z[i] + p.t[0][i];
    return p.logDet;
  }

  @Override
  public void backwardRow(double[] z, double[] th, double[] ctx, double[] gOut, double gL, double[] gz, double[] gTh, double[] gCtx) {
    Pass p = new Pass(z, th);
    for (int i = 0; i < d; i++) gz[i] += gOut[i];
    // Q e = H_1 (H_2 (... H_M e)): back through H_1 first.
    double[] g = gOut.clone();
    for (int k = 0; k < m; k++) {
      double[] gin = new double[d];
      HouseholderStep.reflectBackward(th, vOff(k), d, p.t[k + 1], g, gin, gTh);
      g = gin;
    }
    double[] ge = g;
    // e = R hh
    double[] ghh = new double[d];
    for (int i = 0; i < d; i++) {
      for (int j = i; j < d; j++) {
        double grad = ge[i] * p.hh[j];
        ghh[j] += r(th, 0, i, j) * ge[i];
        if (i == j) {
          double rii = r(th, 0, i, i);
          gTh[at[i][i]] += grad * (1 - rii * rii);
        } else gTh[at[i][j]] += grad;
      }
    }
    // log-determinant
    for (int i = 0; i < d; i++) {
      double rii = r(th, 0, i, i);
      double qii = r(th, tri, i, i);
      double rho = rii * qii;
      double one = 1 - p.hh[i] * p.hh[i];
      double cc = 1 + rho * one;
      double gRho = gL * one / cc;
      ghh[i] += gL * rho * (-2 * p.hh[i]) / cc;
      gTh[at[i][i]] += gRho * qii * (1 - rii * rii);
      gTh[tri + at[i][i]] += gRho * rii * (1 - qii * qii);
    }
    // c = R~ a + b, hh = tanh(c)
    double[] a = p.s[m];
    double[] ga = new double[d];
    for (int i = 0; i < d; i++) {
      double gc = ghh[i] * (1 - p.hh[i] * p.hh[i]);
      gTh[2 * tri + i] += gc;
      for (int j = i; j < d; j++) {
        ga[j] += r(th, tri, i, j) * gc;
        double grad = gc * a[j];
        if (i == j) {
          double q = r(th, tri, i, i);
          gTh[tri + at[i][i]] += grad * (1 - q * q);
        } else gTh[tri + at[i][j]] += grad;
      }
    }
    // a = H_M ... H_1 z: back through H_M first.
    g = ga;
    for (int k = m - 1; k >= 0; k--) {
      double[] gin = new double[d];
      HouseholderStep.reflectBackward(th, vOff(k), d, p.s[k], g, gin, gTh);
      g = gin;
    }
    for (int i = 0; i < d; i++) gz[i] += g[i];
  }

  @Override public String describe() { return "sylvester_step[" + d + ", " + m + " reflections]"; }
}
