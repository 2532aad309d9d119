package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.Kernels;
import vaec.runtime.kernels.RelaxationKernels;
import vaec.runtime.kernels.ScalarParam;

/**
 * sigma_lambda(z) = sigmoid(z / lambda) with a learned temperature lambda = exp(log_lambda): the
 * relaxation REBAR feeds to the model in place of H(z) (Tucker et al. 2017). Inputs (z, and the
 * 1 x 1 parameter log_lambda, log-parameterized so that lambda stays positive); differentiable in
 * both, which is how the variance objective tunes the temperature.
 */
public final class TemperedSigmoid implements Op {
  @Override
  public int outputWidth(List<Node> in) {
    ScalarParam.requireScalar("tempered sigmoid", in.get(1));
    return in.get(0).width();
  }

  @Override public int[] scratchWidths(List<Node> in) { return new int[] {in.get(0).width()}; }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    double inv = Math.exp(-ScalarParam.of(in[1]));
    if (RelaxationKernels.applies(in[0], out)) {
      Kernels.scale(in[0], inv, out);     // the same floats as assign and muli, in one pass
    } else {
      out.assign(in[0]).muli(inv);
    }
    Kernels.sigmoid(out, out);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    double inv = Math.exp(-ScalarParam.of(in[1]));
    INDArray d = s[0];
    if (RelaxationKernels.applies(in[0], out, g, gIn[0])) {
      double sum = RelaxationKernels.temperedSigmoidBackward(in[0], out, g, gIn[0], inv, gIn[1] != null);
      if (gIn[1] != null) ScalarParam.put(gIn[1], -inv * sum);
      return;
    }
    out.rsub(1.0, d);                   // d = g y (1 - y)
    d.muli(out);
    d.muli(g);
    if (gIn[1] != null) {
      // d/dlog_lambda of sigmoid(z e^-l) = -y(1-y) z e^-l
      double sum = Kernels.dot(d, in[0]);
      ScalarParam.put(gIn[1], -inv * sum);
    }
    if (gIn[0] != null) {
      d.muli(inv);
      gIn[0].assign(d);
    }
  }

  @Override public String describe() { return "tempered_sigmoid"; }
}
