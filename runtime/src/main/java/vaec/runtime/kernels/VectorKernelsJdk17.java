package vaec.runtime.kernels;

import java.nio.ByteBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link VectorKernels} on the Vector API of Java 16-18 (byte-buffer loads and stores). Made by
 * name in {@link VectorApi}; compiled only on those Java versions (runtime/pom.xml).
 */
final class VectorKernelsJdk17 implements VectorKernels {
  @Override public int adamCheck(ByteBuffer g, int from, int to) { return AdamVector.check(g, from, to); }

  @Override
  public void adamUpdate(ByteBuffer p, ByteBuffer g, float[] m, float[] v, int from, int to, float b1, float b2, float step, float e,
                         float gMin, float m1Min, float mMin) {
    AdamVector.update(p, g, m, v, from, to, b1, b2, step, e, gMin, m1Min, mMin);
  }

  @Override public void bernoulliForward(INDArray x, INDArray l, INDArray out, INDArray d) { FusedBernoulliVector.forward(x, l, out, d); }

  @Override public void bernoulliScaleRows(INDArray d, INDArray g, INDArray target) { FusedBernoulliVector.scaleRows(d, g, target); }

  @Override public void bernoulliElementwise(float[] x, float[] l, float[] v, float[] d, int n) { FusedBernoulliVector.elementwise(x, l, v, d, n); }

  @Override public void sumBlocks(INDArray in, INDArray out, int r, int w, int k) { RowBlocksVector.sumBlocks(in, out, r, w, k); }

  @Override public void fold(INDArray g, float w0, INDArray g2, float w1) { FoldVector.fold(g, w0, g2, w1); }

  @Override public void biasRelu(INDArray x, INDArray b, INDArray z) { DenseVector.biasRelu(x, b, z); }

  @Override public void reluGradient(INDArray y, INDArray g, INDArray d) { DenseVector.reluGradient(y, g, d); }

  @Override public int lanes() { return FusedBernoulliVector.lanes(); }
}
