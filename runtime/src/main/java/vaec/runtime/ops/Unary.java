package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.Activation;
import vaec.runtime.kernels.Kernels;

/** y = f(x) element-wise, for the functions a model may call in an expression. */
public final class Unary implements Op {
  /** The functions; each knows its value and its derivative. */
  public enum Fn { EXP, LOG, SOFTPLUS, SIGMOID, TANH, RELU, SQRT, SQUARE, ELU, ABS }

  private final Fn fn;

  public Unary(Fn fn) { this.fn = fn; }

  public Fn fn() { return fn; }

  @Override
  public int outputWidth(List<Node> in) { return in.get(0).width(); }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    INDArray x = in[0];
    switch (fn) {
      case EXP -> Kernels.exp(x, out);
      case LOG -> Kernels.log(x, out);
      case SOFTPLUS -> Kernels.softplus(x, out);
      case SIGMOID -> Kernels.sigmoid(x, out);
      case TANH -> Kernels.tanh(x, out);
      case RELU -> Kernels.relu(x, out);
      case SQRT -> Kernels.sqrt(x, out);
      case SQUARE -> Kernels.mul(x, x, out);
      case ELU -> Kernels.elu(x, out);
      case ABS -> out.assign(org.nd4j.linalg.ops.transforms.Transforms.abs(x, true));
    }
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    if (gIn[0] == null) return;
    INDArray x = in[0];
    INDArray d = gIn[0];
    switch (fn) {
      case EXP -> Kernels.copy(out, d);
      case LOG -> Kernels.rdivScalar(x, 1.0, d);
      case SOFTPLUS -> Kernels.sigmoid(x, d);
      case SIGMOID -> Activation.SIGMOID.derivativeFromOutput(out, d);
      case TANH -> Activation.TANH.derivativeFromOutput(out, d);
      case RELU -> Kernels.step(x, d);
      case SQRT -> Kernels.rdivScalar(out, 0.5, d);
      case SQUARE -> Kernels.scale(x, 2.0, d);
      case ELU -> Activation.ELU.derivativeFromOutput(out, d);
      case ABS -> d.assign(org.nd4j.linalg.ops.transforms.Transforms.sign(x, true));
    }
    Kernels.mul(d, g, d);
  }

  @Override
  public String describe() { return fn.name().toLowerCase(java.util.Locale.ROOT); }
}
