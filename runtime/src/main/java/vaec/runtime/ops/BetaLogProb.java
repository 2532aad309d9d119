package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/**
 * log Beta(x; a, b) summed per example; inputs (x, a, b):
 * (a - 1) log x + (b - 1) log(1 - x) - log Gamma(a) - log Gamma(b) + log Gamma(a + b).
 * Host-side in double precision, like {@link GammaLogProb}.
 */
public final class BetaLogProb implements Op {
  @Override
  public int outputWidth(List<Node> in) {
    LogProbs.sameWidths("Beta log-density", in);
    return 1;
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    double[][] x = in[0].toDoubleMatrix(), a = in[1].toDoubleMatrix(), b = in[2].toDoubleMatrix();
    double[] row = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < x[i].length; j++) {
        row[i] += (a[i][j] - 1) * Math.log(x[i][j]) + (b[i][j] - 1) * Math.log1p(-x[i][j])
            - SpecialFunctions.lgamma(a[i][j]) - SpecialFunctions.lgamma(b[i][j]) + SpecialFunctions.lgamma(a[i][j] + b[i][j]);
      }
    }
    out.assign(Nd4j.createFromArray(row).reshape(x.length, 1).castTo(out.dataType()));
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, boolean[] acc, INDArray[] s) {
    double[][] x = in[0].toDoubleMatrix(), a = in[1].toDoubleMatrix(), b = in[2].toDoubleMatrix();
    double[] gr = g.reshape(g.length()).toDoubleVector();
    int n = x.length, w = x[0].length;
    double[][] dx = new double[n][w], da = new double[n][w], db = new double[n][w];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < w; j++) {
        double both = SpecialFunctions.digamma(a[i][j] + b[i][j]);
        dx[i][j] = gr[i] * ((a[i][j] - 1) / x[i][j] - (b[i][j] - 1) / (1 - x[i][j]));
        da[i][j] = gr[i] * (Math.log(x[i][j]) - SpecialFunctions.digamma(a[i][j]) + both);
        db[i][j] = gr[i] * (Math.log1p(-x[i][j]) - SpecialFunctions.digamma(b[i][j]) + both);
      }
    }
    double[][][] d = {dx, da, db};
    for (int k = 0; k < 3; k++) {
      if (gIn[k] != null) Kernels.put(gIn[k], Nd4j.createFromArray(d[k]).castTo(gIn[k].dataType()), acc[k]);
    }
  }

  @Override public String describe() { return "beta_log_prob"; }
}
