package vaec.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The element-wise nonlinearities a network layer or an expression may apply. Each knows its
 * derivative in terms of its own output, so a fused layer need not keep the pre-activation.
 */
public enum Activation {
  IDENTITY, RELU, TANH, SIGMOID, SOFTPLUS, ELU, EXP;

  /** z = f(x); x and z may be the same buffer. */
  public void apply(INDArray x, INDArray z) {
    switch (this) {
      case IDENTITY -> { if (x != z) z.assign(x); }
      case RELU -> Kernels.relu(x, z);
      case TANH -> Kernels.tanh(x, z);
      case SIGMOID -> Kernels.sigmoid(x, z);
      case SOFTPLUS -> Kernels.softplus(x, z);
      case ELU -> Kernels.elu(x, z);
      case EXP -> Kernels.exp(x, z);
    }
  }

  /** d = f'(x) expressed through y = f(x); d must not alias y. */
  public void derivativeFromOutput(INDArray y, INDArray d) {
    switch (this) {
      case IDENTITY -> d.assign(1.0);
      case RELU -> Kernels.step(y, d);
      case TANH -> { Kernels.mul(y, y, d); Kernels.rsubScalar(d, 1.0, d); }   // 1 - y^2, no ND4J buffer per call
      case SIGMOID -> { y.rsub(1.0, d); d.muli(y); }                   // y (1 - y)
      case SOFTPLUS -> { y.mul(-1.0, d); Kernels.exp(d, d); d.rsubi(1.0); }  // sigmoid(x) = 1 - e^{-y}
      case ELU -> {                                                   // 1 for x > 0, else y + 1
        Kernels.step(y, d);                                           // 1 where y > 0
        INDArray t = d;                                               // d = step + (1 - step)(y + 1)
        // (1 - step) * (y + 1) is y + 1 below zero and 0 above; y + 1 ranges in (0, 1] below zero.
        // Compute in place: d = step + (y + 1) - step * (y + 1)
        t.negi().addi(1.0).muli(y.add(1.0)).addi(stepOf(y));
      }
      case EXP -> d.assign(y);
    }
  }

  private static INDArray stepOf(INDArray y) {
    INDArray s = y.ulike();
    Kernels.step(y, s);
    return s;
  }

  public String lowerName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
