package vaec.stdlib.flows;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import vaec.runtime.ops.FlowStep;

/**
 * The exact density log q(z_K) of a flow guide with global parameters on a Normal(loc, scale) base
 * whose arguments are numbers (a model without data), at any point: each step is inverted from the
 * last to the first (in closed form where the step has an inverse, else by Newton's method on the
 * step's own float64 forward pass, with a finite-difference Jacobian and a halving line search), and
 * log q(z_K) = log q0(z_0) - sum_k log|det J_k(z_{k-1})|. A step is invertible by construction, so
 * the root is unique; a point where Newton's method does not reach it within 1e-9 gives NaN.
 */
public final class FlowDensity {
  private final int d;
  private final List<FlowStep> steps = new ArrayList<>();
  private final List<double[]> thetas = new ArrayList<>();
  private final double[] loc;
  private final double[] scale;

  /**
   * @param flow the guide's configured flow: global parameters, no context
   * @param loc the base's loc, one per column
   * @param scale the base's scale, one per column
   * @param parameter a global parameter's values by name (LATENT.flow.K.BLOCK)
   */
  public FlowDensity(FlowFamily flow, String latent, double[] loc, double[] scale, Function<String, double[]> parameter) {
    if (flow.amortized() || flow.contextWidth() > 0) {
      throw new IllegalArgumentException("the density of a flow is computed here only with global parameters and no context");
    }
    this.d = flow.width();
    this.loc = loc.clone();
    this.scale = scale.clone();
    List<String> names = flow.flow().blockNames(false);
    for (int k = 0; k < flow.length(); k++) {
      steps.add(flow.flow().step(d, k, flow.settings(), true, 0));
      int[] blocks = flow.flow().blocks(d, flow.settings(), 0);
      int total = 0;
      for (int b : blocks) total += b;
      double[] theta = new double[total];
      int at = 0;
      for (int i = 0; i < blocks.length; i++) {
        double[] v = parameter.apply(Flow.paramName(latent, k, names.get(i)));
        if (v.length != blocks[i]) throw new IllegalArgumentException("parameter " + Flow.paramName(latent, k, names.get(i)) + " has " + v.length + " values, not " + blocks[i]);
        System.arraycopy(v, 0, theta, at, v.length);
        at += v.length;
      }
      thetas.add(theta);
    }
  }

  /** z_K from z_0 (forward through every step), and the sum of the steps' log|det| into {@code logDet[0]} when not null. */
  public double[] forward(double[] z0, double[] logDet) {
    double[] z = z0.clone();
    double sum = 0;
    for (int k = 0; k < steps.size(); k++) {
      double[] out = new double[d];
      sum += steps.get(k).forwardRow(z, thetas.get(k), null, out);
      z = out;
    }
    if (logDet != null) logDet[0] = sum;
    return z;
  }

  /** log q(z_K) at {@code zK}; NaN when a step could not be inverted there. */
  public double logDensity(double[] zK) {
    double[] y = zK.clone();
    double logDet = 0;
    double[] out = new double[d];
    for (int k = steps.size() - 1; k >= 0; k--) {
      FlowStep step = steps.get(k);
      double[] theta = thetas.get(k);
      double[] z = new double[d];
      if (step.hasInverse()) step.inverseRow(y, theta, null, z);
      else if (!newton(step, theta, y, z)) return Double.NaN;
      logDet += step.forwardRow(z, theta, null, out);
      y = z;
    }
    double logQ0 = 0;
    for (int j = 0; j < d; j++) {
      double t = (y[j] - loc[j]) / scale[j];
      logQ0 += -0.5 * t * t - Math.log(scale[j]) - 0.5 * Math.log(2 * Math.PI);
    }
    return logQ0 - logDet;
  }

  /** z with step(z) = y, by damped Newton from z = y; false when it does not converge. */
  private boolean newton(FlowStep step, double[] theta, double[] y, double[] z) {
    System.arraycopy(y, 0, z, 0, d);
    double[] f = new double[d];
    double[] r = residual(step, theta, z, y, f);
    double norm = norm(r);
    double[][] jac = new double[d][d];
    double[] zp = new double[d];
    double[] fp = new double[d];
    double[] fm = new double[d];
    for (int it = 0; it < 200 && norm > 1e-11; it++) {
      for (int c = 0; c < d; c++) {
        double h = 1e-6 * Math.max(1, Math.abs(z[c]));
        System.arraycopy(z, 0, zp, 0, d);
        zp[c] = z[c] + h;
        step.forwardRow(zp, theta, null, fp);
        zp[c] = z[c] - h;
        step.forwardRow(zp, theta, null, fm);
        for (int rr = 0; rr < d; rr++) jac[rr][c] = (fp[rr] - fm[rr]) / (2 * h);
      }
      double[] delta = solve(jac, r);
      if (delta == null) return false;
      double t = 1;
      boolean moved = false;
      for (int half = 0; half < 40; half++, t /= 2) {
        for (int c = 0; c < d; c++) zp[c] = z[c] - t * delta[c];
        double n = norm(residual(step, theta, zp, y, f));
        if (n < norm) {
          System.arraycopy(zp, 0, z, 0, d);
          r = residual(step, theta, z, y, f);
          norm = n;
          moved = true;
          break;
        }
      }
      if (!moved) break;
    }
    return norm <= 1e-9 * Math.max(1, norm(y));
  }

  private double[] residual(FlowStep step, double[] theta, double[] z, double[] y, double[] f) {
    step.forwardRow(z, theta, null, f);
    double[] r = new double[d];
    for (int c = 0; c < d; c++) r[c] = f[c] - y[c];
    return r;
  }

  private static double norm(double[] v) {
    double s = 0;
    for (double x : v) s += x * x;
    return Math.sqrt(s);
  }

  /** a x = b by Gaussian elimination with partial pivoting; null when singular. */
  private static double[] solve(double[][] a0, double[] b0) {
    int n = b0.length;
    double[][] a = new double[n][];
    for (int i = 0; i < n; i++) a[i] = a0[i].clone();
    double[] b = b0.clone();
    for (int c = 0; c < n; c++) {
      int p = c;
      for (int r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
      if (Math.abs(a[p][c]) < 1e-300) return null;
      double[] tr = a[c]; a[c] = a[p]; a[p] = tr;
      double tb = b[c]; b[c] = b[p]; b[p] = tb;
      for (int r = c + 1; r < n; r++) {
        double m = a[r][c] / a[c][c];
        for (int k = c; k < n; k++) a[r][k] -= m * a[c][k];
        b[r] -= m * b[c];
      }
    }
    double[] x = new double[n];
    for (int r = n - 1; r >= 0; r--) {
      double s = b[r];
      for (int k = r + 1; k < n; k++) s -= a[r][k] * x[k];
      x[r] = s / a[r][r];
    }
    return x;
  }
}
