package vaec.runtime.ops;

/**
 * A Householder flow step (Tomczak and Welling 2016): the reflection z' = z - 2 v (v . z) / |v|^2,
 * theta = v. Volume preserving (log|det| = 0) and its own inverse.
 */
public final class HouseholderStep extends FlowStep {
  public HouseholderStep(int d, boolean global) { super(d, new int[] {d}, global, 0); }

  public static int parameters(int d) { return d; }

  @Override
  public double forwardRow(double[] z, double[] v, double[] ctx, double[] out) {
    reflect(v, 0, d, z, out);
    return 0;
  }

  @Override
  public void backwardRow(double[] z, double[] v, double[] ctx, double[] gOut, double gL, double[] gz, double[] gv, double[] gCtx) {
    reflectBackward(v, 0, d, z, gOut, gz, gv);
  }

  @Override public boolean hasInverse() { return true; }

  @Override
  public void inverseRow(double[] zOut, double[] v, double[] ctx, double[] z) { reflect(v, 0, d, zOut, z); }

  /** out = x - 2 v (v . x) / |v|^2, v = theta[off, off + n). out may be x. */
  static void reflect(double[] th, int off, int n, double[] x, double[] out) {
    double s = dot(th, off, th, off, n) + 1e-12;
    double c = 2 * dot(th, off, x, 0, n) / s;
    for (int i = 0; i < n; i++) out[i] = x[i] - c * th[off + i];
  }

  /** Adds the gradients of g . reflect(x) to gx and gTheta[off, off + n). */
  static void reflectBackward(double[] th, int off, int n, double[] x, double[] g, double[] gx, double[] gTh) {
    double s = dot(th, off, th, off, n) + 1e-12;
    double p = dot(th, off, x, 0, n);
    double q = dot(th, off, g, 0, n);
    for (int i = 0; i < n; i++) {
      gx[i] += g[i] - 2 * q * th[off + i] / s;
      gTh[off + i] += -2 * (x[i] * q / s + p * g[i] / s - 2 * p * q * th[off + i] / (s * s));
    }
  }

  @Override public String describe() { return "householder_step[" + d + "]"; }
}
