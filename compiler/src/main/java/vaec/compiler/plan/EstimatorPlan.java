package vaec.compiler.plan;

import java.util.List;

/**
 * The objective with its settings, the plan for every latent, in the order the guide samples them, and the generative sites
 * (priors and likelihoods) in ancestral order: each after the latents and scored data it reads.
 */
public record EstimatorPlan(List<LatentPlan> latents, List<vaec.compiler.ir.Site> generativeOrder, ObjectivePlan objective) {
  public LatentPlan of(String latent) {
    return latents.stream().filter(l -> l.latent().name().equals(latent)).findFirst().orElseThrow();
  }
}
