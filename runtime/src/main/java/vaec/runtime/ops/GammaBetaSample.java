package vaec.runtime.ops;

import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.LogProbs;

/**
 * Draws from Gamma(alpha, rate beta) or Beta(a, b) = G1 / (G1 + G2) without gradient; inputs
 * (first parameter, second parameter, u) where u is the run's uniform noise: each element's
 * Marsaglia-Tsang rejection loop is seeded from its u, so draws stay reproducible from the run's
 * one generator although the number of proposals varies.
 */
public final class GammaBetaSample implements Op {
  /** Which family to draw from. */
  public enum Kind { GAMMA, BETA }

  private final Kind kind;

  public GammaBetaSample(Kind kind) { this.kind = kind; }

  @Override
  public int outputWidth(List<Node> in) {
    LogProbs.sameWidths("Gamma/Beta sample", in);
    return in.get(0).width();
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    double[] p = HostMatrix.flat(in[0]), q = HostMatrix.flat(in[1]), u = HostMatrix.flat(in[2]);
    int w = (int) out.columns();
    double[] z = new double[p.length];
    for (int k = 0; k < p.length; k++) {
      int i = k / w;
      int j = k % w;
      SplittableRandom r = new SplittableRandom(Double.doubleToLongBits(u[k]) * 0x9E3779B97F4A7C15L + i * 31L + j);
      if (kind == Kind.GAMMA) {
        z[k] = standardGamma(p[k], r) / q[k];
      } else {
        double g1 = standardGamma(p[k], r);
        double g2 = standardGamma(q[k], r);
        z[k] = Math.min(Math.max(g1 / (g1 + g2), 1e-7), 1 - 1e-7);
      }
    }
    HostMatrix.assign(out, z);
  }

  /** Marsaglia and Tsang's method; shape below 1 through Gamma(a + 1) U^(1/a). */
  static double standardGamma(double a, SplittableRandom r) {
    if (a < 1) return standardGamma(a + 1, r) * Math.pow(r.nextDouble(), 1 / a);
    double d = a - 1.0 / 3;
    double c = 1 / Math.sqrt(9 * d);
    while (true) {
      double x;
      double v;
      do {
        x = gaussian(r);
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      double uu = r.nextDouble();
      if (uu < 1 - 0.0331 * x * x * x * x || Math.log(uu) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  private static double gaussian(SplittableRandom r) {
    double u1 = r.nextDouble();
    double u2 = r.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  }

  @Override public boolean differentiable() { return false; }
  @Override public String describe() { return kind.name().toLowerCase(java.util.Locale.ROOT) + "_sample"; }
}
