package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.Activation;
import vaec.runtime.kernels.FusedDense;
import vaec.runtime.kernels.FusedTanh;
import vaec.runtime.kernels.Gemm;

/**
 * A fully connected layer fused with its activation: y = f(x W + b), inputs (x, W, b) with W of
 * shape [in, out] and b of shape [out]. Fusing saves two buffers and, in the backward pass, lets
 * the weight gradient be one gemm with the transpose flag (x^T dy) rather than a transposed view,
 * which ND4J would copy (measured 5x slower). A tanh layer's bias, activation and derivative run
 * as {@link FusedTanh}'s single passes on the direct kernels; a ReLU layer's bias and ReLU, and
 * ReLU's gradient, as {@link FusedDense}'s, with the JDK's Vector API. (A linear layer keeps ND4J's
 * broadcast addition: a Vector API pass for the bias alone measured slower.)
 */
public final class Dense implements Op {
  private final Activation activation;

  public Dense(Activation activation) {
    this.activation = activation;
  }

  public Activation activation() { return activation; }

  @Override
  public int outputWidth(List<Node> in) {
    long[] w = weightShape(in.get(1));
    if (w == null || w.length != 2 || w[0] != in.get(0).width()) {
      throw new IllegalArgumentException("dense: input width " + in.get(0).width() + " vs weight " + in.get(1));
    }
    return (int) w[1];
  }

  @Override
  public int[] scratchWidths(List<Node> in) {
    return scratchWidths(outputWidth(in));
  }

  @Override
  public void initScratch(INDArray[] scratch) {
    onesColumn(scratch);
  }

  /**
   * A dense layer's scratch (shared with {@link DenseRows}): the gradient before the activation,
   * {@code out} wide, and a column of ones, with which the bias gradient is one gemm (ones^T dPre).
   */
  static int[] scratchWidths(int out) {
    return new int[] {out, 1};
  }

  static void onesColumn(INDArray[] scratch) {
    scratch[1].assign(1.0);
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] scratch) {
    Gemm.gemm(in[0], false, in[1], false, out, 1.0, 0.0);
    biasAndActivation(activation, out, in[2]);
  }

  /** out = f(out + b) in place: the step after a dense layer's product (shared with {@link DenseRows}). */
  static void biasAndActivation(Activation activation, INDArray out, INDArray b) {
    if (activation == Activation.TANH && FusedTanh.applies(b, out)) {
      FusedTanh.biasTanh(out, b, out);                     // one pass where ND4J took two
      return;
    }
    if (activation == Activation.RELU && FusedDense.appliesForward(b, out, out)) {
      FusedDense.biasRelu(out, b, out);                    // bias and ReLU in one pass, the same floats
      return;
    }
    vaec.runtime.kernels.Kernels.addRow(out, b, out);      // Kernels' reused op: no buffer per call
    activation.apply(out, out);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray gOut, INDArray[] gIn, INDArray[] scratch) {
    backwardAccumulating(in, out, gOut, gIn, NONE, scratch);
  }

  private static final boolean[] NONE = new boolean[3];

  /** Every gradient of a dense layer is a gemm, which adds into its target for free (beta = 1). */
  @Override
  public boolean accumulatesGradient(int input) { return true; }

  @Override
  public void backwardAccumulating(INDArray[] in, INDArray out, INDArray gOut, INDArray[] gIn, boolean[] accumulate,
                                   INDArray[] scratch) {
    INDArray dPre = preActivationGradient(activation, out, gOut, scratch[0]);
    // A weight shared by several uses (the decoder of every enumerated branch) gets each use's
    // gradient added by the gemm itself, rather than into a buffer the executor adds afterwards.
    if (gIn[1] != null) Gemm.gemm(in[0], true, dPre, false, gIn[1], 1.0, accumulate[1] ? 1.0 : 0.0);
    if (gIn[2] != null) {
      // Column sums as a gemm: measured faster than ND4J's reduction along dimension 0.
      Gemm.gemm(scratch[1], true, dPre, false, gIn[2], 1.0, accumulate[2] ? 1.0 : 0.0);
    }
    if (gIn[0] != null) Gemm.gemm(dPre, false, in[1], true, gIn[0], 1.0, accumulate[0] ? 1.0 : 0.0);
  }

  /**
   * The gradient before the activation, given the output {@code out} and its gradient {@code gOut}:
   * {@code gOut} itself for the identity, else written into {@code work} (shared with {@link DenseRows}).
   */
  static INDArray preActivationGradient(Activation activation, INDArray out, INDArray gOut, INDArray work) {
    if (activation == Activation.IDENTITY) return gOut;
    if (activation == Activation.TANH && FusedTanh.applies(null, out, gOut, work)) {
      FusedTanh.gradient(out, gOut, work);                // (1 - y^2) g in one pass, the same floats
    } else if (activation == Activation.RELU && FusedDense.appliesBackward(out, gOut, work)) {
      FusedDense.reluGradient(out, gOut, work);           // step(y) g in one pass, the same floats
    } else {
      activation.derivativeFromOutput(out, work);
      vaec.runtime.kernels.Kernels.mul(work, gOut, work);
    }
    return work;
  }

  @Override
  public String describe() {
    return "dense[" + activation.lowerName() + "]";
  }

  /** The weight's shape: a parameter's own, or that of the parameter behind a stop-gradient (a frozen use). */
  static long[] weightShape(Node w) {
    while (w.kind() == Node.Kind.OP && w.op() instanceof StopGradient) w = w.input(0);
    return w.paramShape();
  }
}
