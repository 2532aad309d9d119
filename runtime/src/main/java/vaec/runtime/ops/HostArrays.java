package vaec.runtime.ops;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Copies between (possibly strided) 2-d INDArrays and row-major host arrays, for the token ops
 * whose loops (gathers, scatters, per-position softmax) are simplest on the host.
 */
final class HostArrays {
  private HostArrays() {}

  /** The values of a rows x cols array, row-major. */
  static double[] read(INDArray a) {
    return (a.isView() || a.ordering() != 'c' ? a.dup('c') : a).data().asDouble();
  }

  /** Overwrites {@code target} (rows x cols, any strides) with row-major {@code v}. */
  static void write(INDArray target, double[] v) {
    INDArray src = Nd4j.createFromArray(v).castTo(target.dataType()).reshape(target.shape());
    target.assign(src);
  }
}
