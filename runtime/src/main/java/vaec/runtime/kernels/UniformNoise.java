package vaec.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMax;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMin;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The transforms that turn uniform noise u ~ U(0, 1) into the noise of the discrete and relaxed
 * samplers: standard Gumbel noise -log(-log u) and standard logistic noise log u - log(1 - u),
 * with their derivatives in u. Every transform first clamps u into [EPS, 1 - EPS], because the
 * generator may return exactly 0 and, in float32, values that round to 1, where the logs are
 * infinite. Each method is a few native ops writing into the buffers it is given.
 */
public final class UniformNoise {
  /** Clamp margin; 1 - EPS is still below 1 in float32 (it rounds to 1 - 2^-23). */
  public static final double EPS = 1e-7;

  private UniformNoise() {}

  /** z = u clamped into [EPS, 1 - EPS]. */
  public static void clamp(INDArray u, INDArray z) {
    Nd4j.getExecutioner().exec(new ScalarMax(u, null, z, EPS));
    Nd4j.getExecutioner().exec(new ScalarMin(z, null, z, 1 - EPS));
  }

  /** z = -log(-log uc), standard Gumbel noise, from clamped noise uc; z may be uc itself. */
  public static void gumbel(INDArray uc, INDArray z) {
    Kernels.log(uc, z);
    z.negi();
    Kernels.log(z, z);
    z.negi();
  }

  /**
   * z = d gumbel(clamp(u)) / du = -1 / (uc log uc) inside the clamp and 0 where the clamp held u
   * at a bound; {@code tmp} is a buffer of the same shape.
   */
  public static void gumbelDerivative(INDArray u, INDArray uc, INDArray z, INDArray tmp) {
    Kernels.log(uc, z);
    z.muli(uc);
    z.rdivi(-1.0);
    zeroOutsideClamp(u, z, tmp);
  }

  /** z = log uc - log(1 - uc), standard logistic noise, from clamped noise uc; z must not be uc. */
  public static void logistic(INDArray uc, INDArray z) {
    uc.rsub(1.0, z);
    Kernels.div(uc, z, z);
    Kernels.log(z, z);
  }

  /** z = d logistic(clamp(u)) / du = 1 / (uc (1 - uc)) inside the clamp, 0 outside it. */
  public static void logisticDerivative(INDArray u, INDArray uc, INDArray z, INDArray tmp) {
    uc.rsub(1.0, z);
    z.muli(uc);
    z.rdivi(1.0);
    zeroOutsideClamp(u, z, tmp);
  }

  /** z *= the clamp's derivative: 1 where EPS < u < 1 - EPS, else 0. */
  private static void zeroOutsideClamp(INDArray u, INDArray z, INDArray tmp) {
    Nd4j.getExecutioner().exec(new Step(u, tmp, EPS));          // 1 where u > EPS
    z.muli(tmp);
    Nd4j.getExecutioner().exec(new Step(u, tmp, 1 - EPS));      // 1 where u > 1 - EPS
    tmp.rsubi(1.0);
    z.muli(tmp);
  }
}
