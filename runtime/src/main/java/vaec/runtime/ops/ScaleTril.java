package vaec.runtime.ops;

/**
 * The packed lower-triangular scale of a full-covariance Gaussian: a row of D (D + 1) / 2 values
 * t, row by row (L[0,0], L[1,0], L[1,1], L[2,0], ...), with L[i,j] = t for j &lt; i and
 * L[i,i] = exp(t) on the diagonal, so that every row of real numbers is a valid (invertible)
 * scale and log |det L| = sum of the diagonal's t.
 */
public final class ScaleTril {
  private ScaleTril() {}

  /** Number of packed values for dimension {@code d}. */
  public static int packedWidth(int d) { return d * (d + 1) / 2; }

  /** The dimension whose packed width is {@code t}, or -1 when none is. */
  public static int dimension(int t) {
    int d = (int) Math.round((Math.sqrt(8.0 * t + 1) - 1) / 2);
    return packedWidth(d) == t ? d : -1;
  }

  static int index(int i, int j) { return i * (i + 1) / 2 + j; }

  /** L from the packed row starting at {@code off} of {@code t}. */
  static double[][] unpack(double[] t, int off, int d) {
    double[][] l = new double[d][d];
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < i; j++) l[i][j] = t[off + index(i, j)];
      l[i][i] = Math.exp(t[off + index(i, i)]);
    }
    return l;
  }

  /** Sum of the diagonal's packed values: log |det L|. */
  static double logDet(double[] t, int off, int d) {
    double s = 0;
    for (int i = 0; i < d; i++) s += t[off + index(i, i)];
    return s;
  }

  /** y with L y = r (forward substitution). */
  static double[] solveLower(double[][] l, double[] r) {
    int d = r.length;
    double[] y = new double[d];
    for (int i = 0; i < d; i++) {
      double s = r[i];
      for (int j = 0; j < i; j++) s -= l[i][j] * y[j];
      y[i] = s / l[i][i];
    }
    return y;
  }

  /** v with L^T v = y (back substitution). */
  static double[] solveUpper(double[][] l, double[] y) {
    int d = y.length;
    double[] v = new double[d];
    for (int i = d - 1; i >= 0; i--) {
      double s = y[i];
      for (int j = i + 1; j < d; j++) s -= l[j][i] * v[j];
      v[i] = s / l[i][i];
    }
    return v;
  }

  /**
   * Packs dF/dL (lower part of {@code gl}) into gradients of the packed values at {@code off},
   * scaled by {@code scale}, adding {@code diagExtra} to each diagonal's gradient (before scaling):
   * dF/dt = dF/dL for off-diagonal entries and dF/dL[i,i] L[i,i] on the diagonal (exp's chain rule).
   */
  static void pack(double[][] gl, double[][] l, double diagExtra, double scale, double[] out, int off) {
    int d = l.length;
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < i; j++) out[off + index(i, j)] = scale * gl[i][j];
      out[off + index(i, i)] = scale * (gl[i][i] * l[i][i] + diagExtra);
    }
  }
}
