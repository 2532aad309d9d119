package vaec.stdlib.networks;

import vaec.runtime.kernels.Activation;

/** One fully connected layer: in -> out, then an activation. */
public record LayerSpec(int in, int out, Activation activation) {
  public long parameterCount() { return (long) in * out + out; }
}
