package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.LogProbs;
import vaec.runtime.kernels.SpecialFunctions;

/**
 * log Poisson(x; rate) summed per example, inputs (x, rate) or (x, log_rate):
 * x log(rate) - rate - log Gamma(x + 1). Host code in double precision. Gradients: x / rate - 1
 * (rate) or x - exp(log_rate) (log-rate); the value is data and gets none.
 */
public final class PoissonLogProb implements Op {
  private final boolean logRate;

  /** {@code logRate}: the second input is log(rate). */
  public PoissonLogProb(boolean logRate) { this.logRate = logRate; }

  @Override
  public int outputWidth(List<Node> in) {
    LogProbs.sameWidths(describe(), in);
    return 1;
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    double[] x = HostMatrix.flat(in[0]), p = HostMatrix.flat(in[1]);
    int w = (int) in[0].columns();
    double[] row = new double[(int) out.rows()];
    for (int k = 0; k < x.length; k++) {
      double logLambda = logRate ? p[k] : Math.log(p[k]);
      double lambda = logRate ? Math.exp(p[k]) : p[k];
      row[k / w] += (x[k] == 0 ? 0 : x[k] * logLambda) - lambda - SpecialFunctions.lgamma(x[k] + 1);
    }
    HostMatrix.assign(out, row);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    if (gIn[0] != null) gIn[0].assign(0);
    if (gIn[1] == null) return;
    double[] x = HostMatrix.flat(in[0]), p = HostMatrix.flat(in[1]), gr = HostMatrix.flat(g);
    int w = (int) in[0].columns();
    double[] gp = new double[x.length];
    for (int k = 0; k < x.length; k++) gp[k] = gr[k / w] * (logRate ? x[k] - Math.exp(p[k]) : x[k] / p[k] - 1);
    HostMatrix.assign(gIn[1], gp);
  }

  @Override public String describe() { return logRate ? "poisson_log_rate_log_prob" : "poisson_log_prob"; }
}
