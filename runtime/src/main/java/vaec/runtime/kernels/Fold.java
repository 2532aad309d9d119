package vaec.runtime.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * g = w0 g + w1 g2 over two vectors of the same length: how the two halves of a training step
 * fold their gradients into one ({@link vaec.runtime.train.TrainingStep}). When the weights are
 * equal it is (g + g2) w0 (w0 = 1/2 is an exact scaling); otherwise g w0 + g2 w1, rounding each
 * product first. With the Vector API ({@link VectorApi}) one pass over the native buffers
 * (FoldVector); otherwise ND4J's ops through {@link Kernels}, two or three passes. Both
 * give the same floats.
 */
public final class Fold {
  private Fold() {}

  public static void fold(INDArray g, float w0, INDArray g2, float w1) {
    if (g.length() == 0) return;
    if (VectorApi.ON && KernelPath.direct() && g.dataType() == DataType.FLOAT && g2.dataType() == DataType.FLOAT
        && g.rank() == 1 && g2.rank() == 1 && g.elementWiseStride() == 1 && g2.elementWiseStride() == 1) {
      VectorApi.KERNELS.fold(g, w0, g2, w1);
      return;
    }
    if (w0 == w1) {
      Kernels.add(g, g2, g);
      Kernels.scale(g, w0, g);
    } else {
      Kernels.scale(g, w0, g);
      Kernels.scale(g2, w1, g2);
      Kernels.add(g, g2, g);
    }
  }
}
