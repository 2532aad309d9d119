package vaec.runtime.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Reading and differentiating a 1 x 1 parameter that an op applies to a whole batch. */
final class ScalarParam {
  private ScalarParam() {}

  static double of(INDArray p) { return p.getDouble(0); }

  /** The gradient of a scalar is the sum of its per-element contributions: put or add it. */
  static void put(INDArray grad, double value, boolean accumulate) {
    grad.putScalar(0, accumulate ? grad.getDouble(0) + value : value);
  }

  static void requireScalar(String op, vaec.runtime.graph.Node n) {
    if (n.width() != 1) throw new IllegalArgumentException(op + ": expected a 1 x 1 parameter, got width " + n.width());
  }
}
