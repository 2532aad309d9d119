package vaec.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * softplus(x) = max(x, 0) + log(1 + exp(-|x|)), finite for every x. ND4J's own softplus computes
 * log(1 + exp(x)) and overflows to infinity above x = 88 in float32 (measured), which the REBAR
 * ops meet for confident logits.
 */
public final class StableSoftplus {
  private StableSoftplus() {}

  /** z = softplus(x); {@code tmp} is a work buffer of the same shape, distinct from x and z (z may be x). */
  public static void apply(INDArray x, INDArray z, INDArray tmp) {
    Kernels.abs(x, tmp);
    tmp.negi();
    Kernels.softplus(tmp, tmp);
    Kernels.relu(x, z);
    Kernels.add(z, tmp, z);
  }
}
