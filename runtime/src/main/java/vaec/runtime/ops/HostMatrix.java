package vaec.runtime.ops;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Row-major double copies of matrices for ops computed on the host, through one flat copy each way
 * (INDArray.toDoubleMatrix goes row by row, which is slow for many rows).
 */
final class HostMatrix {
  private HostMatrix() {}

  /** The matrix's elements in row-major order, as doubles. */
  static double[] flat(INDArray m) {
    return m.castTo(DataType.DOUBLE).dup('c').data().asDouble();
  }

  /** Writes row-major {@code values} into {@code target} (which may be a strided view). */
  static void assign(INDArray target, double[] values) {
    target.assign(Nd4j.createFromArray(values).reshape(target.rows(), target.columns()).castTo(target.dataType()));
  }
}
