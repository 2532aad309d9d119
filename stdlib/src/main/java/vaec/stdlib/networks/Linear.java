package vaec.stdlib.networks;

import java.util.ArrayList;
import java.util.List;
import vaec.runtime.kernels.Activation;

/** One affine layer: Linear(20 -> 784), optionally with output = sigmoid and the like. */
public final class Linear implements NetworkFamily {
  @Override public String name() { return "Linear"; }
  @Override public List<String> options() { return List.of("output"); }

  @Override
  public NetworkSpec build(String name, List<NetTerm.Arg> args, Object where) {
    NetArgs a = NetArgs.of(name(), options(), args);
    List<Integer> widths = new ArrayList<>();
    for (NetTerm t : a.chain()) widths.add(NetArgs.width(t));
    if (widths.size() != 2) throw new NetworkError("Linear takes exactly two widths, like Linear(20 -> 784); use MLP for more layers", where);
    return new DenseNetwork(name, name(), List.of(new LayerSpec(widths.get(0), widths.get(1),
        a.activation("output", Activation.IDENTITY))));
  }
}
