package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/**
 * A fully connected layer fused with its activation: y = f(x W + b), inputs (x, W, b) with W of
 * shape [in, out] and b of shape [out]. Fusing saves two buffers and, in the backward pass, lets
 * the weight gradient be one gemm with the transpose flag (x^T dy) rather than a transposed view,
 * which ND4J would copy (measured 5x slower).
 */
public final class Dense implements Op {
  private final Activation activation;

  public Dense(Activation activation) {
    this.activation = activation;
  }

  public Activation activation() { return activation; }

  @Override
  public int outputWidth(List<Node> in) {
    long[] w = in.get(1).paramShape();
    if (w == null || w.length != 2 || w[0] != in.get(0).width()) {
      throw new IllegalArgumentException("dense: input width " + in.get(0).width() + " vs weight " + in.get(1));
    }
    return (int) w[1];
  }

  @Override
  public int[] scratchWidths(List<Node> in) {
    return new int[] {outputWidth(in), in.get(0).width()};
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] scratch) {
    Nd4j.gemm(in[0], in[1], out, false, false, 1.0, 0.0);
    out.addiRowVector(in[2]);
    activation.apply(out, out);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray gOut, INDArray[] gIn, boolean[] acc,
                       INDArray[] scratch) {
    INDArray dPre = gOut;
    if (activation != Activation.IDENTITY) {
      dPre = scratch[0];
      activation.derivativeFromOutput(out, dPre);
      dPre.muli(gOut);
    }
    if (gIn[1] != null) Nd4j.gemm(in[0], dPre, gIn[1], true, false, 1.0, acc[1] ? 1.0 : 0.0);
    if (gIn[2] != null) {
      if (acc[2]) gIn[2].addi(dPre.sum(0));
      else dPre.sum(gIn[2], 0);
    }
    if (gIn[0] != null) {
      if (gIn[0].isView()) {
        // ND4J's gemm cannot write into a strided view (the input was a slice): go through scratch.
        Nd4j.gemm(dPre, in[1], scratch[1], false, true, 1.0, 0.0);
        Kernels.put(gIn[0], scratch[1], acc[0]);
      } else {
        Nd4j.gemm(dPre, in[1], gIn[0], false, true, 1.0, acc[0] ? 1.0 : 0.0);
      }
    }
  }

  @Override
  public String describe() {
    return "dense[" + activation.lowerName() + "]";
  }
}
