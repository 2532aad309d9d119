package vaec.stdlib.estimators;

import java.util.ArrayList;
import java.util.List;
import vaec.runtime.graph.Node;
import vaec.runtime.model.ParamInit;
import vaec.runtime.kernels.Activation;
import vaec.stdlib.networks.LayerSpec;
import vaec.stdlib.networks.DenseNetwork;
import vaec.stdlib.networks.NetworkSpec;

/**
 * RELAX (Grathwohl et al. 2018): REBAR's control variate plus a learned surrogate network r of the
 * relaxed value (one tanh hidden layer), all trained on the variance objective.
 */
public final class Relax extends Rebar {
  /** The surrogate network's hidden width when the model names none. */
  public static final int DEFAULT_HIDDEN = 100;

  @Override public String keyword() { return "relax"; }

  @Override
  public List<Setting> settings() {
    List<Setting> s = new ArrayList<>(super.settings());
    s.add(Setting.number("hidden", DEFAULT_HIDDEN, 1, false, 100_000, true, "tanh units of the surrogate network"));
    return s;
  }

  @Override
  String surrogateText(LatentSite z, Settings s) {
    return " + r(sigmoid(z / lambda)), r a " + z.width() + " -> " + (int) s.number("hidden") + " (tanh) -> 1 network";
  }

  @Override
  public List<ParamInit> params(LatentSite z, Settings s) {
    List<ParamInit> ps = new ArrayList<>(super.params(z, s));
    ps.addAll(network(z.name(), z.width(), (int) s.number("hidden")).params());
    return ps;
  }

  static NetworkSpec network(String latent, int width, int hidden) {
    return new DenseNetwork(latent + ".relax", "MLP",
        List.of(new LayerSpec(width, hidden, Activation.TANH), new LayerSpec(hidden, 1, Activation.IDENTITY)));
  }

  @Override
  Node surrogate(LatentStep step, Node relaxed, boolean frozen) {
    LatentSite z = step.latent();
    return network(z.name(), z.width(), (int) step.settings().number("hidden")).apply(step.graph(), step.guideOrigin(), relaxed, frozen);
  }
}
