package vaec.stdlib.networks;

import java.util.ArrayList;
import java.util.List;
import vaec.runtime.kernels.Activation;

/**
 * A multi-layer perceptron: MLP(784 -> 400 -> 40, activation = relu, output = identity). Hidden
 * layers use {@code activation} (default relu); the last layer uses {@code output} (default
 * identity), since the model usually maps it to distribution arguments itself.
 */
public final class Mlp implements NetworkFamily {
  @Override public String name() { return "MLP"; }
  @Override public List<String> options() { return List.of("activation", "output"); }

  @Override
  public NetworkSpec build(String name, List<NetTerm.Arg> args, Object where) {
    NetArgs a = NetArgs.of(name(), options(), args);
    List<Integer> widths = new ArrayList<>();
    for (NetTerm t : a.chain()) widths.add(NetArgs.width(t));
    if (widths.size() < 2) throw new NetworkError("MLP needs at least an input and an output width, like MLP(784 -> 400 -> 40)", where);
    Activation hidden = a.activation("activation", Activation.RELU);
    Activation out = a.activation("output", Activation.IDENTITY);
    List<LayerSpec> layers = new ArrayList<>();
    for (int i = 0; i + 1 < widths.size(); i++) {
      boolean last = i + 2 == widths.size();
      layers.add(new LayerSpec(widths.get(i), widths.get(i + 1), last ? out : hidden));
    }
    return new DenseNetwork(name, name(), layers);
  }
}
