package vaec.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Reading and differentiating a 1 x 1 parameter that an op applies to a whole batch. */
public final class ScalarParam {
  private ScalarParam() {}

  public static double of(INDArray p) { return p.getDouble(0); }

  /** Writes a scalar's gradient (the sum of its per-element contributions) into its 1 x 1 buffer. */
  public static void put(INDArray grad, double value) {
    grad.putScalar(0, value);
  }

  public static void requireScalar(String op, vaec.runtime.graph.Node n) {
    if (n.width() != 1) throw new IllegalArgumentException(op + ": expected a 1 x 1 parameter, got width " + n.width());
  }
}
