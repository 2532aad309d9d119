package vaec.stdlib;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import vaec.runtime.kernels.Activation;
import vaec.runtime.ops.Unary;
import vaec.stdlib.distributions.Bernoulli;
import vaec.stdlib.distributions.Categorical;
import vaec.stdlib.distributions.Concrete;
import vaec.stdlib.distributions.DistributionFamily;
import vaec.stdlib.distributions.KlRule;
import vaec.stdlib.distributions.Normal;
import vaec.stdlib.distributions.RelaxedBernoulli;
import vaec.stdlib.networks.Linear;
import vaec.stdlib.networks.Mlp;
import vaec.stdlib.networks.NetworkFamily;

/**
 * Everything a name in a model file can resolve to: distributions, network families,
 * element-wise functions, activations, objectives and optimizers (closed-form KL pairs belong to
 * the guide's family). The
 * compiler holds no list of its own; a new family is one entry here.
 */
public final class Catalog {
  private static final Catalog STANDARD = new Catalog();

  private final Map<String, DistributionFamily> distributions = new LinkedHashMap<>();
  private final Map<String, NetworkFamily> networks = new LinkedHashMap<>();
  private final Map<String, vaec.stdlib.flows.Flow> flows = new LinkedHashMap<>();
  private final Map<String, Unary.Fn> functions = new LinkedHashMap<>();
  private final Map<String, Activation> activations = new LinkedHashMap<>();
  private final Map<String, List<String>> optimizers = new LinkedHashMap<>();
  private final List<String> objectives = vaec.stdlib.objectives.Objectives.keywords();

  private Catalog() {
    for (DistributionFamily d : List.of(new Normal(), new Bernoulli(), new Categorical(), new Categorical("OneHotCategorical"),
        new vaec.stdlib.distributions.GammaFamily(), new vaec.stdlib.distributions.BetaFamily(),
        new RelaxedBernoulli(), new Concrete(),
        new vaec.stdlib.distributions.Laplace(), new vaec.stdlib.distributions.LogNormal(),
        new vaec.stdlib.distributions.VectorQuantizer(), new vaec.stdlib.distributions.UniformCodes(),
        new vaec.stdlib.distributions.Dirichlet(), new vaec.stdlib.distributions.MultivariateNormal(),
        new vaec.stdlib.distributions.Poisson(), new vaec.stdlib.distributions.NegativeBinomial(),
        new vaec.stdlib.distributions.Tokens(),
        new vaec.stdlib.distributions.Energy(1), new vaec.stdlib.distributions.Energy(2),
        new vaec.stdlib.distributions.Energy(3), new vaec.stdlib.distributions.Energy(4))) {
      distributions.put(d.name(), d);
    }
    for (NetworkFamily n : List.of(new Mlp(), new Linear(), new vaec.stdlib.networks.ConvFamily(),
        new vaec.stdlib.networks.RecurrentFamily(vaec.stdlib.networks.RecurrentFamily.Cell.GRU),
        new vaec.stdlib.networks.RecurrentFamily(vaec.stdlib.networks.RecurrentFamily.Cell.LSTM))) networks.put(n.name(), n);
    for (vaec.stdlib.flows.Flow f : List.of(new vaec.stdlib.flows.Planar(), new vaec.stdlib.flows.Radial(),
        new vaec.stdlib.flows.Householder(), new vaec.stdlib.flows.Sylvester(), new vaec.stdlib.flows.Iaf(),
        new vaec.stdlib.flows.RealNvp())) {
      flows.put(f.name(), f);
    }
    for (Unary.Fn f : Unary.Fn.values()) functions.put(f.name().toLowerCase(java.util.Locale.ROOT), f);
    for (Activation a : Activation.values()) activations.put(a.lowerName(), a);
    optimizers.put("Adam", List.of("lr", "beta1", "beta2", "eps"));
    optimizers.put("SGD", List.of("lr"));
  }

  public static Catalog standard() { return STANDARD; }

  public Optional<DistributionFamily> distribution(String name) { return Optional.ofNullable(distributions.get(name)); }
  public Optional<NetworkFamily> network(String name) { return Optional.ofNullable(networks.get(name)); }
  /** A normalizing flow, written in a guide around a base distribution: {@code Planar(Normal(mu, s), length = 10)}. */
  public Optional<vaec.stdlib.flows.Flow> flow(String name) { return Optional.ofNullable(flows.get(name)); }
  public Optional<Unary.Fn> function(String name) { return Optional.ofNullable(functions.get(name)); }
  public Optional<Activation> activation(String name) { return Optional.ofNullable(activations.get(name)); }
  public Optional<List<String>> optimizer(String name) { return Optional.ofNullable(optimizers.get(name)); }

  /** The closed-form KL(guide || prior), owned by the guide's family ({@link DistributionFamily#klTo}). */
  public Optional<KlRule> kl(DistributionFamily guide, DistributionFamily prior) { return guide.klTo(prior); }

  public List<String> distributionNames() { return List.copyOf(distributions.keySet()); }
  public List<String> networkNames() { return List.copyOf(networks.keySet()); }
  public List<String> flowNames() { return List.copyOf(flows.keySet()); }
  public List<String> functionNames() { return List.copyOf(functions.keySet()); }
  public List<String> activationNames() { return List.copyOf(activations.keySet()); }
  public List<String> optimizerNames() { return List.copyOf(optimizers.keySet()); }
  public List<String> objectiveNames() { return objectives; }
}
