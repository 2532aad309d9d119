package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.LogProbs;

/**
 * A log-density of a value and two parameters of the same width, summed per example, computed
 * element by element on the host in double precision: for families whose densities need log
 * Gamma and digamma, which ND4J has no element-wise kernels for. Meant for latent-sized values.
 */
abstract class HostLogDensity implements Op {
  /** log p(x; p, q) for one element. */
  abstract double logDensity(double x, double p, double q);

  /** d/dx, d/dp, d/dq of {@link #logDensity} for one element, into {@code out}. */
  abstract void gradient(double x, double p, double q, double[] out);

  @Override
  public int outputWidth(List<Node> in) {
    LogProbs.sameWidths(describe(), in);
    return 1;
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    double[][] x = in[0].toDoubleMatrix(), p = in[1].toDoubleMatrix(), q = in[2].toDoubleMatrix();
    double[] row = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < x[i].length; j++) row[i] += logDensity(x[i][j], p[i][j], q[i][j]);
    }
    out.assign(Nd4j.createFromArray(row).reshape(x.length, 1).castTo(out.dataType()));
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    double[][] x = in[0].toDoubleMatrix(), p = in[1].toDoubleMatrix(), q = in[2].toDoubleMatrix();
    double[] gr = g.reshape(g.length()).toDoubleVector();
    int n = x.length, w = x[0].length;
    double[][][] d = new double[3][n][w];
    double[] e = new double[3];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < w; j++) {
        gradient(x[i][j], p[i][j], q[i][j], e);
        for (int k = 0; k < 3; k++) d[k][i][j] = gr[i] * e[k];
      }
    }
    for (int k = 0; k < 3; k++) {
      if (gIn[k] != null) gIn[k].assign(Nd4j.createFromArray(d[k]).castTo(gIn[k].dataType()));
    }
  }
}
