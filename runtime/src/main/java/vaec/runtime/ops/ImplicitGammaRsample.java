package vaec.runtime.ops;

import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.ImplicitGamma;
import vaec.runtime.kernels.LogProbs;

/**
 * Pathwise draws of Gamma(alpha, rate) and Beta(a, b) with implicit reparameterization gradients
 * (Figurnov, Mohamed and Mnih 2018); inputs (first parameter, second parameter, u) with u the
 * run's uniform noise, each element's rejection sampler seeded from its u (as {@link GammaBetaSample}).
 *
 * <ul>
 *   <li>Gamma: z = x / rate with x ~ Gamma(alpha, 1); dz/dalpha = z dlog x/dalpha
 *       ({@link ImplicitGamma}), dz/drate = -z / rate. Draws are floored at the smallest normal
 *       float, 1.2e-38 (shapes far below 1 put mass there).</li>
 *   <li>Beta: z = x1 / (x1 + x2) = sigmoid(log x1 - log x2) with x1 ~ Gamma(a, 1), x2 ~ Gamma(b, 1);
 *       dz/da = z (1 - z) dlog x1/da, dz/db = -z (1 - z) dlog x2/db. Draws are clamped to
 *       [1e-7, 1 - 1e-7] so that log z and log(1 - z) stay finite in float.</li>
 * </ul>
 * The log-draws of the standard Gammas are kept in scratch for the backward pass.
 */
public final class ImplicitGammaRsample implements Op {
  /** Smallest Gamma draw returned. */
  public static final double GAMMA_FLOOR = Float.MIN_NORMAL;
  /** Beta draws lie in [BETA_EDGE, 1 - BETA_EDGE]. */
  public static final double BETA_EDGE = 1e-7;

  private final GammaBetaSample.Kind kind;

  public ImplicitGammaRsample(GammaBetaSample.Kind kind) { this.kind = kind; }

  @Override
  public int outputWidth(List<Node> in) {
    LogProbs.sameWidths(describe(), in);
    return in.get(0).width();
  }

  @Override
  public int[] scratchWidths(List<Node> in) {
    int w = in.get(0).width();
    return kind == GammaBetaSample.Kind.GAMMA ? new int[] {w} : new int[] {w, w};
  }

  static SplittableRandom seeded(double u, int i, int j) {
    return new SplittableRandom(Double.doubleToLongBits(u) * 0x9E3779B97F4A7C15L + i * 31L + j);
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    double[] p = HostMatrix.flat(in[0]), q = HostMatrix.flat(in[1]), u = HostMatrix.flat(in[2]);
    int w = (int) out.columns();
    double[] z = new double[p.length];
    double[] l1 = new double[p.length];
    double[] l2 = kind == GammaBetaSample.Kind.BETA ? new double[p.length] : null;
    for (int k = 0; k < p.length; k++) {
      SplittableRandom r = seeded(u[k], k / w, k % w);
      l1[k] = ImplicitGamma.logStandardGamma(p[k], r);
      if (kind == GammaBetaSample.Kind.GAMMA) {
        z[k] = Math.max(Math.exp(l1[k]) / q[k], GAMMA_FLOOR);
      } else {
        l2[k] = ImplicitGamma.logStandardGamma(q[k], r);
        double sig = 1 / (1 + Math.exp(l2[k] - l1[k]));
        z[k] = Math.min(Math.max(sig, BETA_EDGE), 1 - BETA_EDGE);
      }
    }
    HostMatrix.assign(out, z);
    HostMatrix.assign(s[0], l1);
    if (l2 != null) HostMatrix.assign(s[1], l2);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    double[] p = HostMatrix.flat(in[0]), q = HostMatrix.flat(in[1]), z = HostMatrix.flat(out), gr = HostMatrix.flat(g);
    double[] l1 = HostMatrix.flat(s[0]);
    double[] l2 = kind == GammaBetaSample.Kind.BETA ? HostMatrix.flat(s[1]) : null;
    double[] gp = new double[p.length];
    double[] gq = new double[p.length];
    for (int k = 0; k < p.length; k++) {
      if (kind == GammaBetaSample.Kind.GAMMA) {
        if (gIn[0] != null) gp[k] = gr[k] * z[k] * ImplicitGamma.dLogXdAlpha(p[k], l1[k]);
        gq[k] = -gr[k] * z[k] / q[k];
      } else {
        double zz = z[k] * (1 - z[k]);
        if (gIn[0] != null) gp[k] = gr[k] * zz * ImplicitGamma.dLogXdAlpha(p[k], l1[k]);
        if (gIn[1] != null) gq[k] = -gr[k] * zz * ImplicitGamma.dLogXdAlpha(q[k], l2[k]);
      }
    }
    if (gIn[0] != null) HostMatrix.assign(gIn[0], gp);
    if (gIn[1] != null) HostMatrix.assign(gIn[1], gq);
    if (gIn[2] != null) gIn[2].assign(0);
  }

  @Override
  public String describe() { return kind.name().toLowerCase(java.util.Locale.ROOT) + "_implicit_rsample"; }
}
