package vaec.compiler.ir;

import java.util.List;
import java.util.Map;
import vaec.compiler.SourceFile;
import vaec.stdlib.networks.NetworkSpec;

/**
 * The probabilistic IR: variables, networks (parameters), and the sample and observe sites with
 * their deterministic argument expressions. Guide sites are in the order the model writes them (the
 * planner orders the work). {@code objective} is the train block's objective clause, or null.
 */
public record ProbModel(
    String name,
    SourceFile source,
    List<Variable> data,
    List<Variable> latents,
    Map<String, NetworkSpec> networks,
    List<Site> guide,
    List<Site> prior,
    List<Site> likelihood,
    EstimatorRequest objective,
    List<SemiImplicitBlock> semiImplicit) {

  /** The semi-implicit guide block that draws {@code latent}, or null. */
  public SemiImplicitBlock semiImplicitOf(String latent) {
    for (SemiImplicitBlock b : semiImplicit) if (b.latents().contains(latent)) return b;
    return null;
  }

  public Site guideOf(String latent) {
    return guide.stream().filter(s -> s.variable().equals(latent)).findFirst().orElseThrow();
  }

  public Site priorOf(String latent) {
    return prior.stream().filter(s -> s.variable().equals(latent)).findFirst().orElseThrow();
  }
}
