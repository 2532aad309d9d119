package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.LogProbs;
import vaec.runtime.kernels.SpecialFunctions;

/**
 * Closed-form KL(q || p) per example, summed over columns, inputs (q's two parameters, p's two),
 * all of one width, on the host in double precision:
 * <ul>
 *   <li>Gamma(a1, rate b1) to Gamma(a2, rate b2):
 *       (a1 - a2) psi(a1) - log Gamma(a1) + log Gamma(a2) + a2 (log b1 - log b2) + a1 (b2 - b1) / b1;</li>
 *   <li>Beta(a1, b1) to Beta(a2, b2): log B(a2, b2) - log B(a1, b1) + (a1 - a2) psi(a1)
 *       + (b1 - b2) psi(b1) + (a2 - a1 + b2 - b1) psi(a1 + b1).</li>
 * </ul>
 * Gradients use the trigamma function.
 */
public final class KlGammaBeta implements Op {
  private final GammaBetaSample.Kind kind;

  public KlGammaBeta(GammaBetaSample.Kind kind) { this.kind = kind; }

  @Override
  public int outputWidth(List<Node> in) {
    LogProbs.sameWidths(describe(), in);
    return 1;
  }

  private static double lbeta(double a, double b) {
    return SpecialFunctions.lgamma(a) + SpecialFunctions.lgamma(b) - SpecialFunctions.lgamma(a + b);
  }

  double kl(double a1, double b1, double a2, double b2) {
    if (kind == GammaBetaSample.Kind.GAMMA) {
      return (a1 - a2) * SpecialFunctions.digamma(a1) - SpecialFunctions.lgamma(a1) + SpecialFunctions.lgamma(a2)
          + a2 * (Math.log(b1) - Math.log(b2)) + a1 * (b2 - b1) / b1;
    }
    return lbeta(a2, b2) - lbeta(a1, b1) + (a1 - a2) * SpecialFunctions.digamma(a1) + (b1 - b2) * SpecialFunctions.digamma(b1)
        + (a2 - a1 + b2 - b1) * SpecialFunctions.digamma(a1 + b1);
  }

  void gradient(double a1, double b1, double a2, double b2, double[] g) {
    if (kind == GammaBetaSample.Kind.GAMMA) {
      g[0] = (a1 - a2) * SpecialFunctions.trigamma(a1) + (b2 - b1) / b1;
      g[1] = a2 / b1 - a1 * b2 / (b1 * b1);
      g[2] = SpecialFunctions.digamma(a2) - SpecialFunctions.digamma(a1) + Math.log(b1) - Math.log(b2);
      g[3] = a1 / b1 - a2 / b2;
      return;
    }
    double s1 = a1 + b1;
    double s2 = a2 + b2;
    double t = SpecialFunctions.trigamma(s1);
    g[0] = (a1 - a2) * SpecialFunctions.trigamma(a1) + (a2 - a1 + b2 - b1) * t;
    g[1] = (b1 - b2) * SpecialFunctions.trigamma(b1) + (a2 - a1 + b2 - b1) * t;
    g[2] = SpecialFunctions.digamma(a2) - SpecialFunctions.digamma(s2) - SpecialFunctions.digamma(a1) + SpecialFunctions.digamma(s1);
    g[3] = SpecialFunctions.digamma(b2) - SpecialFunctions.digamma(s2) - SpecialFunctions.digamma(b1) + SpecialFunctions.digamma(s1);
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    double[] a1 = HostMatrix.flat(in[0]), b1 = HostMatrix.flat(in[1]), a2 = HostMatrix.flat(in[2]), b2 = HostMatrix.flat(in[3]);
    int w = (int) in[0].columns();
    double[] row = new double[(int) out.rows()];
    for (int k = 0; k < a1.length; k++) row[k / w] += kl(a1[k], b1[k], a2[k], b2[k]);
    HostMatrix.assign(out, row);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    double[] a1 = HostMatrix.flat(in[0]), b1 = HostMatrix.flat(in[1]), a2 = HostMatrix.flat(in[2]), b2 = HostMatrix.flat(in[3]);
    double[] gr = HostMatrix.flat(g);
    int w = (int) in[0].columns();
    double[][] d = new double[4][a1.length];
    double[] e = new double[4];
    for (int k = 0; k < a1.length; k++) {
      gradient(a1[k], b1[k], a2[k], b2[k], e);
      for (int i = 0; i < 4; i++) d[i][k] = gr[k / w] * e[i];
    }
    for (int i = 0; i < 4; i++) if (gIn[i] != null) HostMatrix.assign(gIn[i], d[i]);
  }

  @Override public String describe() { return "kl_" + kind.name().toLowerCase(java.util.Locale.ROOT) + "_" + kind.name().toLowerCase(java.util.Locale.ROOT); }
}
