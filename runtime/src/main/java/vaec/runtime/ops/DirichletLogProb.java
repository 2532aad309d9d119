package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.LogProbs;
import vaec.runtime.kernels.SpecialFunctions;

/**
 * log Dirichlet(x; alpha) per example, inputs (x, alpha) of the same width, x on the simplex:
 * log Gamma(sum alpha) - sum log Gamma(alpha_k) + sum (alpha_k - 1) log x_k (density with respect
 * to Lebesgue measure on the first K - 1 coordinates). Gradients: (alpha_k - 1) / x_k and
 * psi(sum alpha) - psi(alpha_k) + log x_k. Host code in double precision.
 */
public final class DirichletLogProb implements Op {
  @Override
  public int outputWidth(List<Node> in) {
    LogProbs.sameWidths(describe(), in);
    return 1;
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    double[][] x = in[0].toDoubleMatrix(), a = in[1].toDoubleMatrix();
    double[] row = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double sum = 0;
      double v = 0;
      for (int j = 0; j < x[i].length; j++) {
        sum += a[i][j];
        v += (a[i][j] - 1) * Math.log(x[i][j]) - SpecialFunctions.lgamma(a[i][j]);
      }
      row[i] = v + SpecialFunctions.lgamma(sum);
    }
    out.assign(Nd4j.createFromArray(row).reshape(x.length, 1).castTo(out.dataType()));
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    double[][] x = in[0].toDoubleMatrix(), a = in[1].toDoubleMatrix();
    double[] gr = g.reshape(g.length()).toDoubleVector();
    int n = x.length, w = x[0].length;
    double[][] gx = new double[n][w];
    double[][] ga = new double[n][w];
    for (int i = 0; i < n; i++) {
      double sum = 0;
      for (int j = 0; j < w; j++) sum += a[i][j];
      double psiSum = SpecialFunctions.digamma(sum);
      for (int j = 0; j < w; j++) {
        gx[i][j] = gr[i] * (a[i][j] - 1) / x[i][j];
        ga[i][j] = gr[i] * (psiSum - SpecialFunctions.digamma(a[i][j]) + Math.log(x[i][j]));
      }
    }
    if (gIn[0] != null) gIn[0].assign(Nd4j.createFromArray(gx).castTo(gIn[0].dataType()));
    if (gIn[1] != null) gIn[1].assign(Nd4j.createFromArray(ga).castTo(gIn[1].dataType()));
  }

  @Override public String describe() { return "dirichlet_log_prob"; }
}
