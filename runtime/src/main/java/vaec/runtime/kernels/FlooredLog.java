package vaec.runtime.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMax;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Logarithms of coordinates in [0, 1] that may have underflowed. A relaxed sample at a low
 * temperature is a softmax or sigmoid that float32 rounds to exactly 0 (or 1, so 1 - y is 0),
 * where log y is -infinity and a log-density would be NaN. The log-density ops therefore take
 * the log of max(y, FLOOR) with FLOOR the smallest normal number of the type: every normal value
 * is left as it is, and the derivative is 0 where the floor held the value.
 */
public final class FlooredLog {
  private FlooredLog() {}

  /** The smallest normal number of the type (the runtime computes in float32 or float64). */
  public static double floor(DataType t) {
    return t == DataType.DOUBLE ? Double.MIN_NORMAL : Float.MIN_NORMAL;
  }

  /** z = max(x, floor); x and z may be the same buffer. */
  public static void applyFloor(INDArray x, INDArray z) {
    Nd4j.getExecutioner().exec(new ScalarMax(x, null, z, floor(z.dataType())));
  }

  /** mask = 1 where the floored value xf is above the floor (the floor's derivative), else 0. */
  public static void aboveFloor(INDArray xf, INDArray mask) {
    Nd4j.getExecutioner().exec(new Step(xf, mask, floor(xf.dataType())));
  }
}
