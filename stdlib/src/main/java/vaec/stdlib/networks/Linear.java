package vaec.stdlib.networks;

import java.util.List;
import java.util.Map;
import vaec.runtime.kernels.Activation;

/** One affine layer: Linear(20 -> 784), optionally with output = sigmoid and the like. */
public final class Linear implements NetworkFamily {
  @Override public String name() { return "Linear"; }
  @Override public List<String> options() { return List.of("output"); }

  @Override
  public NetworkSpec build(String name, List<Integer> widths, Map<String, Activation> options) {
    if (widths.size() != 2) throw new IllegalArgumentException("Linear takes exactly two widths, like Linear(20 -> 784); use MLP for more layers");
    return new NetworkSpec(name, name(), List.of(new LayerSpec(widths.get(0), widths.get(1),
        options.getOrDefault("output", Activation.IDENTITY))));
  }
}
