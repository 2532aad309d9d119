package vaec.stdlib.networks;

import java.util.ArrayList;
import java.util.List;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.model.ParamInit;
import vaec.runtime.ops.Dense;

/**
 * A stack of fully connected layers (MLP, Linear, and the small networks estimators add).
 * Calling it in an expression lowers to one fused dense node per layer; its parameters are named
 * "NAME.LAYER.W" and "NAME.LAYER.b".
 */
public record DenseNetwork(String name, String family, List<LayerSpec> layers) implements NetworkSpec {
  @Override public int inputWidth() { return layers.get(0).in(); }
  @Override public int outputWidth() { return layers.get(layers.size() - 1).out(); }

  @Override public long parameterCount() {
    return layers.stream().mapToLong(LayerSpec::parameterCount).sum();
  }

  /** Parameters with PyTorch's default linear-layer initialization, U(-1/sqrt(in), 1/sqrt(in)). */
  @Override public List<ParamInit> params() {
    List<ParamInit> ps = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      LayerSpec l = layers.get(i);
      double bound = 1.0 / Math.sqrt(l.in());
      ps.add(ParamInit.uniform(name + "." + i + ".W", bound, l.in(), l.out()));
      ps.add(ParamInit.uniform(name + "." + i + ".b", bound, l.out()));
    }
    return ps;
  }

  @Override
  public Node apply(Graph g, SourceRef origin, Node input, boolean frozen) {
    Node h = input;
    for (int i = 0; i < layers.size(); i++) {
      LayerSpec l = layers.get(i);
      Node w = g.param(name + "." + i + ".W", l.in(), l.out());
      Node b = g.param(name + "." + i + ".b", l.out());
      if (frozen) {
        w = g.apply(new vaec.runtime.ops.StopGradient(), origin, w);
        b = g.apply(new vaec.runtime.ops.StopGradient(), origin, b);
      }
      h = g.apply(new Dense(l.activation()), origin, h, w, b);
    }
    return h;
  }

  /** "784 -> 400 (relu) -> 40". */
  @Override public String architecture() {
    StringBuilder b = new StringBuilder().append(inputWidth());
    for (LayerSpec l : layers) {
      b.append(" -> ").append(l.out());
      if (l.activation() != vaec.runtime.kernels.Activation.IDENTITY) b.append(" (").append(l.activation().lowerName()).append(')');
    }
    return b.toString();
  }
}
