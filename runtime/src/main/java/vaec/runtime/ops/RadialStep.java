package vaec.runtime.ops;

/**
 * A radial flow step (Rezende and Mohamed 2015): z' = z + beta h(r) (z - z0), h = 1 / (alpha + r),
 * r = |z - z0|, theta = (z0, alpha', beta') with alpha = softplus(alpha') > 0 and beta = -alpha +
 * softplus(beta') > -alpha, the condition for invertibility. log|det| = (D - 1) log(1 + beta h) +
 * log(1 + beta alpha h^2), both arguments positive under the constraint.
 */
public final class RadialStep extends FlowStep {
  public RadialStep(int d, boolean global) { super(d, new int[] {d, 1, 1}, global, 0); }

  public static int parameters(int d) { return d + 2; }

  @Override
  public double forwardRow(double[] z, double[] th, double[] ctx, double[] out) {
    double alpha = softplus(th[d]);
    double beta = -alpha + softplus(th[d + 1]);
    double r2 = 0;
    for (int i = 0; i < d; i++) r2 += (z[i] - th[i]) * (z[i] - th[i]);
    double r = Math.sqrt(r2);
    double h = 1 / (alpha + r);
    for (int i = 0; i < d; i++) out[i] = z[i] + beta * h * (z[i] - th[i]);
    return (d - 1) * Math.log1p(beta * h) + Math.log1p(beta * alpha * h * h);
  }

  @Override
  public void backwardRow(double[] z, double[] th, double[] ctx, double[] gOut, double gL, double[] gz, double[] gTh, double[] gCtx) {
    double alpha = softplus(th[d]);
    double beta = -alpha + softplus(th[d + 1]);
    double r2 = 0;
    for (int i = 0; i < d; i++) r2 += (z[i] - th[i]) * (z[i] - th[i]);
    double r = Math.sqrt(r2);
    double h = 1 / (alpha + r);
    double t = 0;
    for (int i = 0; i < d; i++) t += gOut[i] * (z[i] - th[i]);
    double A = 1 + beta * h;
    double B = 1 + beta * alpha * h * h;
    double gBeta = h * t + gL * ((d - 1) * h / A + alpha * h * h / B);
    double gH = beta * t + gL * ((d - 1) * beta / A + 2 * beta * alpha * h / B);
    double gAlpha = gL * beta * h * h / B - h * h * gH - gBeta;
    double gR = -h * h * gH;
    for (int i = 0; i < d; i++) {
      double diff = z[i] - th[i];
      double gd = beta * h * gOut[i] + (r > 0 ? gR * diff / r : 0);
      gz[i] += gOut[i] + gd;
      gTh[i] -= gd;
    }
    gTh[d] += gAlpha * sigmoid(th[d]);
    gTh[d + 1] += gBeta * sigmoid(th[d + 1]);
  }

  @Override public String describe() { return "radial_step[" + d + "]"; }
}
