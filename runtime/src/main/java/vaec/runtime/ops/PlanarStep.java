package vaec.runtime.ops;

/**
 * A planar flow step (Rezende and Mohamed 2015): z' = z + u_hat tanh(w . z + b), theta = (u, w, b).
 * u_hat = u + (m(w . u) - w . u) w / |w|^2 with m(a) = -1 + softplus(a) makes w . u_hat = m(w . u)
 * > -1, so the step is invertible (the paper's appendix A.1; dividing by |w| instead of |w|^2 loses
 * the guarantee). log|det| = log(1 + (1 - tanh^2(w . z + b)) m(w . u)), positive inside.
 */
public final class PlanarStep extends FlowStep {
  public PlanarStep(int d, boolean global) { super(d, new int[] {d, d, 1}, global, 0); }

  public static int parameters(int d) { return 2 * d + 1; }

  @Override
  public double forwardRow(double[] z, double[] th, double[] ctx, double[] out) {
    double a = dot(th, 0, th, d, d);
    double s = dot(th, d, th, d, d) + 1e-12;
    double m = -1 + softplus(a);
    double k = (m - a) / s;
    double h = Math.tanh(dot(th, d, z, 0, d) + th[2 * d]);
    for (int i = 0; i < d; i++) out[i] = z[i] + (th[i] + k * th[d + i]) * h;
    return Math.log1p((1 - h * h) * m);
  }

  @Override
  public void backwardRow(double[] z, double[] th, double[] ctx, double[] gOut, double gL, double[] gz, double[] gTh, double[] gCtx) {
    double a = dot(th, 0, th, d, d);
    double s = dot(th, d, th, d, d) + 1e-12;
    double m = -1 + softplus(a);
    double k = (m - a) / s;
    double h = Math.tanh(dot(th, d, z, 0, d) + th[2 * d]);
    double c = 1 + (1 - h * h) * m;
    double gh = 0;
    double gk = 0;
    for (int i = 0; i < d; i++) {
      double uh = th[i] + k * th[d + i];
      gz[i] += gOut[i];
      gh += gOut[i] * uh;
      double guh = gOut[i] * h;           // d/d u_hat_i
      gTh[i] += guh;                      // u_hat = u + k w
      gTh[d + i] += k * guh;
      gk += guh * th[d + i];
    }
    gh += gL * (-2 * h * m / c);
    double gm = gL * (1 - h * h) / c;
    double glin = gh * (1 - h * h);
    for (int i = 0; i < d; i++) {
      gTh[d + i] += glin * z[i];
      gz[i] += glin * th[d + i];
    }
    gTh[2 * d] += glin;
    double sig = sigmoid(a);
    double ga = gk * (sig - 1) / s + gm * sig;
    double gs = -gk * (m - a) / (s * s);
    for (int i = 0; i < d; i++) {
      gTh[d + i] += gs * 2 * th[d + i] + ga * th[i];
      gTh[i] += ga * th[d + i];
    }
  }

  @Override public String describe() { return "planar_step[" + d + "]"; }
}
