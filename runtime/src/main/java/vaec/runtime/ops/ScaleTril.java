package vaec.runtime.ops;

/**
 * The packed lower-triangular scale of a full-covariance Gaussian: a row of D (D + 1) / 2 values
 * t, row by row (t[0,0], t[1,0], t[1,1], t[2,0], ...). Row i of L is exp(t[i,i]) times
 * (t[i,0], ..., t[i,i-1], 1): L = diag(s) U with s = exp(diagonal of t) and U unit lower
 * triangular holding the off-diagonal t. Every row of real numbers is a valid (invertible) scale,
 * log |det L| is the sum of the diagonal's t, and the off-diagonal values are correlations-like
 * numbers on the scale of their row's standard deviation (so small posterior scales do not need
 * tiny raw outputs). Covariance L L^T = diag(s) U U^T diag(s).
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
      double s = Math.exp(t[off + index(i, i)]);
      for (int j = 0; j < i; j++) l[i][j] = s * t[off + index(i, j)];
      l[i][i] = s;
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
   * with L[i,j] = s_i t[i,j] (j &lt; i) and L[i,i] = s_i = exp(t[i,i]), dF/dt[i,j] = s_i dF/dL[i,j]
   * and dF/dt[i,i] = sum over j &lt;= i of dF/dL[i,j] L[i,j].
   */
  static void pack(double[][] gl, double[][] l, double diagExtra, double scale, double[] out, int off) {
    int d = l.length;
    for (int i = 0; i < d; i++) {
      double rowDot = 0;
      for (int j = 0; j < i; j++) {
        out[off + index(i, j)] = scale * gl[i][j] * l[i][i];
        rowDot += gl[i][j] * l[i][j];
      }
      out[off + index(i, i)] = scale * (rowDot + gl[i][i] * l[i][i] + diagExtra);
    }
  }
}
