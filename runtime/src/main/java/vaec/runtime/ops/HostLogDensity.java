package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.LogProbs;

/**
 * A log-density of a value and two parameters of the same width, summed per example, computed
 * element by element on the host in double precision: for families whose densities need log
 * Gamma and digamma, which ND4J has no element-wise kernels for. Meant for latent-sized values; host copies go through {@link HostMatrix} (one flat copy each way).
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
    double[] x = HostMatrix.flat(in[0]), p = HostMatrix.flat(in[1]), q = HostMatrix.flat(in[2]);
    int w = (int) in[0].columns();
    double[] row = new double[(int) out.rows()];
    for (int k = 0; k < x.length; k++) row[k / w] += logDensity(x[k], p[k], q[k]);
    HostMatrix.assign(out, row);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    double[] x = HostMatrix.flat(in[0]), p = HostMatrix.flat(in[1]), q = HostMatrix.flat(in[2]), gr = HostMatrix.flat(g);
    int w = (int) in[0].columns();
    double[][] d = new double[3][x.length];
    double[] e = new double[3];
    for (int k = 0; k < x.length; k++) {
      gradient(x[k], p[k], q[k], e);
      for (int i = 0; i < 3; i++) d[i][k] = gr[k / w] * e[i];
    }
    for (int i = 0; i < 3; i++) {
      if (gIn[i] != null) HostMatrix.assign(gIn[i], d[i]);
    }
  }
}
