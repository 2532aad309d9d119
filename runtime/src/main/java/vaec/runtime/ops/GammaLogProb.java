package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/**
 * log Gamma(x; alpha, beta) with rate beta, summed per example; inputs (x, alpha, beta):
 * alpha log beta + (alpha - 1) log x - beta x - log Gamma(alpha). Computed on the host in double
 * precision (log Gamma and digamma are not ND4J element-wise ops); meant for latent-sized values.
 */
public final class GammaLogProb implements Op {
  @Override
  public int outputWidth(List<Node> in) {
    LogProbs.sameWidths("Gamma log-density", in);
    return 1;
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    double[][] x = in[0].toDoubleMatrix(), a = in[1].toDoubleMatrix(), b = in[2].toDoubleMatrix();
    double[] row = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < x[i].length; j++) {
        row[i] += a[i][j] * Math.log(b[i][j]) + (a[i][j] - 1) * Math.log(x[i][j]) - b[i][j] * x[i][j]
            - SpecialFunctions.lgamma(a[i][j]);
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
        dx[i][j] = gr[i] * ((a[i][j] - 1) / x[i][j] - b[i][j]);
        da[i][j] = gr[i] * (Math.log(b[i][j]) + Math.log(x[i][j]) - SpecialFunctions.digamma(a[i][j]));
        db[i][j] = gr[i] * (a[i][j] / b[i][j] - x[i][j]);
      }
    }
    double[][][] d = {dx, da, db};
    for (int k = 0; k < 3; k++) {
      if (gIn[k] != null) Kernels.put(gIn[k], Nd4j.createFromArray(d[k]).castTo(gIn[k].dataType()), acc[k]);
    }
  }

  @Override public String describe() { return "gamma_log_prob"; }
}
