package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.ImplicitGamma;
import vaec.runtime.kernels.LogProbs;

/**
 * A pathwise Dirichlet(alpha) draw with implicit reparameterization gradients: z = softmax(log x)
 * with x_k ~ Gamma(alpha_k, 1) independent (normalized Gammas), inputs (alpha, u). Backward:
 * dL/dalpha_k = z_k (g_k - sum_i g_i z_i) dlog x_k/dalpha_k ({@link ImplicitGamma}). Each entry is
 * floored at the smallest normal float so that log z stays finite.
 */
public final class DirichletRsample implements Op {
  @Override
  public int outputWidth(List<Node> in) {
    LogProbs.sameWidths(describe(), in);
    return in.get(0).width();
  }

  @Override public int[] scratchWidths(List<Node> in) { return new int[] {in.get(0).width()}; }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    double[] a = HostMatrix.flat(in[0]), u = HostMatrix.flat(in[1]);
    int w = (int) out.columns();
    int n = a.length / w;
    double[] z = new double[a.length];
    double[] l = new double[a.length];
    for (int i = 0; i < n; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < w; j++) {
        int k = i * w + j;
        l[k] = ImplicitGamma.logStandardGamma(a[k], ImplicitGammaRsample.seeded(u[k], i, j));
        max = Math.max(max, l[k]);
      }
      double sum = 0;
      for (int j = 0; j < w; j++) sum += Math.exp(l[i * w + j] - max);
      for (int j = 0; j < w; j++) z[i * w + j] = Math.max(Math.exp(l[i * w + j] - max) / sum, Float.MIN_NORMAL);
    }
    HostMatrix.assign(out, z);
    HostMatrix.assign(s[0], l);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    if (gIn[1] != null) gIn[1].assign(0);
    if (gIn[0] == null) return;
    double[] a = HostMatrix.flat(in[0]), z = HostMatrix.flat(out), gr = HostMatrix.flat(g), l = HostMatrix.flat(s[0]);
    int w = (int) out.columns();
    double[] ga = new double[a.length];
    for (int i = 0; i < a.length / w; i++) {
      double dot = 0;
      for (int j = 0; j < w; j++) dot += gr[i * w + j] * z[i * w + j];
      for (int j = 0; j < w; j++) {
        int k = i * w + j;
        ga[k] = z[k] * (gr[k] - dot) * ImplicitGamma.dLogXdAlpha(a[k], l[k]);
      }
    }
    HostMatrix.assign(gIn[0], ga);
  }

  @Override public String describe() { return "dirichlet_implicit_rsample"; }
}
