package vaec.runtime.kernels;

import java.nio.ByteBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * dst = src for two matrices of the same shape whose rows are contiguous (unit column stride; a
 * column block of a wider matrix is fine), one bulk copy (memcpy) per row through their native
 * memory. ND4J's assign into such a column block copies element by element on one OpenMP thread:
 * the enumerated mixture's concat of 1,280 x 400 and 1,280 x 10 blocks took about 1.5 ms a step
 * that way. {@link Kernels#copy} uses it wherever it applies. On the direct CPU path only
 * ({@link KernelPath#direct()}); {@link #applies} says when.
 */
public final class RowCopy {
  private RowCopy() {}

  public static boolean applies(INDArray src, INDArray dst) {
    return KernelPath.direct() && src.dataType() == dst.dataType()
        && (src.dataType() == DataType.FLOAT || src.dataType() == DataType.DOUBLE)
        && src.rank() == 2 && dst.rank() == 2 && src.rows() == dst.rows() && src.columns() == dst.columns()
        && unitColumns(src) && unitColumns(dst);
  }

  private static boolean unitColumns(INDArray a) {
    return (a.columns() <= 1 || a.stride(1) == 1) && (a.rows() <= 1 || a.stride(0) >= a.columns());
  }

  public static void copy(INDArray src, INDArray dst) {
    int rows = (int) src.rows();
    int bytes = (int) src.columns() * src.dataType().width();
    if (rows == 0 || bytes == 0) return;
    int size = src.dataType().width();
    ByteBuffer s = Handles.bytes(src), d = Handles.bytes(dst);
    long so = src.offset(), ss = src.stride(0), dOff = dst.offset(), ds = dst.stride(0);
    for (int r = 0; r < rows; r++) {
      d.put((int) (size * (dOff + r * ds)), s, (int) (size * (so + r * ss)), bytes);
    }
  }
}
