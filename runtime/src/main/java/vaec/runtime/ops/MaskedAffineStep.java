package vaec.runtime.ops;

/**
 * A flow step whose shift and scale come from a masked one-hidden-layer network (ELU units) of z
 * and an optional context: the inverse autoregressive flow on a MADE (Kingma et al. 2016; Germain
 * et al. 2015) or an affine coupling step (RealNVP, Dinh et al. 2017).
 *
 * <p>theta = (W1: D x H, [C1: C x H when there is a context], b1: H, W2a: H x D, W2b: H x D, ba: D,
 * bb: D), each row-major; the masks multiply W1 (input to hidden) and W2 (hidden to output).
 * <ul>
 *   <li>IAF: input i has degree o(i) (1..D: the natural order on even steps, reversed on odd ones,
 *   the reversal between steps), hidden unit h degree m(h) = 1 + h mod (D - 1); W1[i, h] is kept
 *   when o(i) <= m(h), W2[h, j] when m(h) < o(j), so output j reads only the z_i before it. With
 *   mu = a-head and s = b-head, sigma = sigmoid(s + 1) (a forget-gate bias, so a new step starts
 *   near the identity) and the numerically stable gated update z' = sigma z + (1 - sigma) mu;
 *   log|det| = sum_j log sigma_j (triangular Jacobian).</li>
 *   <li>Coupling: on step k, the columns i with i mod 2 = k mod 2 are kept (z'_i = z_i) and feed the
 *   network; the others become z'_j = z_j exp(s_j) + t_j with s = tanh(a-head), t = b-head (the
 *   bounded log-scale keeps exp(s) in (1/e, e)); log|det| = sum over changed j of s_j. Inverse:
 *   z_j = (z'_j - t_j) exp(-s_j).</li>
 * </ul>
 */
public final class MaskedAffineStep extends FlowStep {
  /** Which masks and update. */
  public enum Kind { IAF, COUPLING }

  /** The IAF gate's bias: sigma = sigmoid(s + FORGET_BIAS). */
  public static final double FORGET_BIAS = 1.0;

  private final Kind kind;
  private final int h;
  private final int step;
  private final boolean[][] in;
  private final boolean[][] outMask;
  private final boolean[] changed;
  /** IAF: each column's degree o(i), 1..D; null for coupling. */
  private final int[] order;
  private final int oW1, oC1, oB1, oW2a, oW2b, oBa, oBb;

  public MaskedAffineStep(Kind kind, int d, int hidden, int context, int step) {
    super(d, blocks(d, hidden, context), true, context);
    this.kind = kind;
    this.h = hidden;
    this.step = step;
    this.in = new boolean[d][hidden];
    this.outMask = new boolean[hidden][d];
    this.changed = new boolean[d];
    if (kind == Kind.IAF) {
      order = new int[d];
      for (int i = 0; i < d; i++) order[i] = step % 2 == 0 ? i + 1 : d - i;
      for (int u = 0; u < hidden; u++) {
        int deg = d > 1 ? 1 + u % (d - 1) : 0;
        for (int i = 0; i < d; i++) in[i][u] = order[i] <= deg;
        for (int j = 0; j < d; j++) outMask[u][j] = deg < order[j];
      }
      java.util.Arrays.fill(changed, true);
    } else {
      order = null;
      for (int i = 0; i < d; i++) changed[i] = i % 2 != step % 2;
      for (int u = 0; u < hidden; u++) {
        for (int i = 0; i < d; i++) in[i][u] = !changed[i];
        for (int j = 0; j < d; j++) outMask[u][j] = changed[j];
      }
    }
    oW1 = 0;
    oC1 = d * hidden;
    oB1 = oC1 + context * hidden;
    oW2a = oB1 + hidden;
    oW2b = oW2a + hidden * d;
    oBa = oW2b + hidden * d;
    oBb = oBa + d;
  }

  /** W1, [C1], b1, W2a, W2b, ba, bb. */
  public static int[] blocks(int d, int hidden, int context) {
    return context > 0 ? new int[] {d * hidden, context * hidden, hidden, hidden * d, hidden * d, d, d}
        : new int[] {d * hidden, hidden, hidden * d, hidden * d, d, d};
  }

  public static int parameters(int d, int hidden, int context) {
    int s = 0;
    for (int b : blocks(d, hidden, context)) s += b;
    return s;
  }

  public Kind kind() { return kind; }

  /** Hidden pre-activations, activations and the two heads for input z. */
  private void net(double[] z, double[] th, double[] ctx, double[] pre, double[] act, double[] ha, double[] hb) {
    for (int u = 0; u < h; u++) {
      double v = th[oB1 + u];
      for (int i = 0; i < d; i++) if (in[i][u]) v += th[oW1 + i * h + u] * z[i];
      for (int c = 0; c < context; c++) v += th[oC1 + c * h + u] * ctx[c];
      pre[u] = v;
      act[u] = v > 0 ? v : Math.expm1(v);
    }
    for (int j = 0; j < d; j++) {
      double a = th[oBa + j];
      double b = th[oBb + j];
      for (int u = 0; u < h; u++) {
        if (!outMask[u][j]) continue;
        a += th[oW2a + u * d + j] * act[u];
        b += th[oW2b + u * d + j] * act[u];
      }
      ha[j] = a;
      hb[j] = b;
    }
  }

  @Override
  public double forwardRow(double[] z, double[] th, double[] ctx, double[] out) {
    double[] pre = new double[h];
    double[] act = new double[h];
    double[] ha = new double[d];
    double[] hb = new double[d];
    net(z, th, ctx, pre, act, ha, hb);
    double ld = 0;
    for (int j = 0; j < d; j++) {
      if (kind == Kind.IAF) {
        double sg = hb[j] + FORGET_BIAS;
        double sigma = sigmoid(sg);
        out[j] = sigma * z[j] + (1 - sigma) * ha[j];
        ld += -softplus(-sg);   // log sigmoid, stable
      } else if (changed[j]) {
        double s = Math.tanh(ha[j]);
        out[j] = z[j] * Math.exp(s) + hb[j];
        ld += s;
      } else out[j] = z[j];
    }
    return ld;
  }

  @Override
  public void backwardRow(double[] z, double[] th, double[] ctx, double[] gOut, double gL, double[] gz, double[] gTh, double[] gCtx) {
    double[] pre = new double[h];
    double[] act = new double[h];
    double[] ha = new double[d];
    double[] hb = new double[d];
    net(z, th, ctx, pre, act, ha, hb);
    double[] gha = new double[d];
    double[] ghb = new double[d];
    for (int j = 0; j < d; j++) {
      if (kind == Kind.IAF) {
        double sigma = sigmoid(hb[j] + FORGET_BIAS);
        gz[j] += gOut[j] * sigma;
        gha[j] = gOut[j] * (1 - sigma);
        double gSigma = gOut[j] * (z[j] - ha[j]);
        ghb[j] = gSigma * sigma * (1 - sigma) + gL * (1 - sigma);   // d log sigmoid(x)/dx = 1 - sigma
      } else if (changed[j]) {
        double s = Math.tanh(ha[j]);
        double e = Math.exp(s);
        gz[j] += gOut[j] * e;
        double gs = gOut[j] * z[j] * e + gL;
        gha[j] = gs * (1 - s * s);
        ghb[j] = gOut[j];
      } else gz[j] += gOut[j];
    }
    double[] gAct = new double[h];
    for (int j = 0; j < d; j++) {
      gTh[oBa + j] += gha[j];
      gTh[oBb + j] += ghb[j];
      if (gha[j] == 0 && ghb[j] == 0) continue;
      for (int u = 0; u < h; u++) {
        if (!outMask[u][j]) continue;
        gTh[oW2a + u * d + j] += gha[j] * act[u];
        gTh[oW2b + u * d + j] += ghb[j] * act[u];
        gAct[u] += th[oW2a + u * d + j] * gha[j] + th[oW2b + u * d + j] * ghb[j];
      }
    }
    for (int u = 0; u < h; u++) {
      double gp = gAct[u] * (pre[u] > 0 ? 1 : act[u] + 1);
      if (gp == 0) continue;
      gTh[oB1 + u] += gp;
      for (int i = 0; i < d; i++) {
        if (!in[i][u]) continue;
        gTh[oW1 + i * h + u] += gp * z[i];
        gz[i] += gp * th[oW1 + i * h + u];
      }
      for (int c = 0; c < context; c++) {
        gTh[oC1 + c * h + u] += gp * ctx[c];
        if (gCtx != null) gCtx[c] += gp * th[oC1 + c * h + u];
      }
    }
  }

  /** Coupling: one pass. IAF: D passes of the network, solving the columns in their order (the sampling direction of an autoregressive flow). */
  @Override public boolean hasInverse() { return true; }

  @Override
  public void inverseRow(double[] zOut, double[] th, double[] ctx, double[] z) {
    double[] pre = new double[h];
    double[] act = new double[h];
    double[] ha = new double[d];
    double[] hb = new double[d];
    if (kind == Kind.COUPLING) {
      net(zOut, th, ctx, pre, act, ha, hb);   // the network reads only the kept columns, equal in z and z'
      for (int j = 0; j < d; j++) z[j] = changed[j] ? (zOut[j] - hb[j]) * Math.exp(-Math.tanh(ha[j])) : zOut[j];
      return;
    }
    java.util.Arrays.fill(z, 0.0);
    for (int t = 1; t <= d; t++) {
      net(z, th, ctx, pre, act, ha, hb);   // column j of degree t reads only the columns before it, solved already
      for (int j = 0; j < d; j++) {
        if (order[j] != t) continue;
        double sigma = sigmoid(hb[j] + FORGET_BIAS);
        z[j] = (zOut[j] - (1 - sigma) * ha[j]) / sigma;
      }
    }
  }

  @Override
  public String describe() {
    return (kind == Kind.IAF ? "iaf_step[" : "coupling_step[") + d + ", hidden " + h + (context > 0 ? ", context " + context : "")
        + ", step " + step + "]";
  }
}
