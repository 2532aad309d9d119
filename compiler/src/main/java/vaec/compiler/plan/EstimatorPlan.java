package vaec.compiler.plan;

import java.util.List;

/** The plan for every latent, in guide order, and the prior sites in ancestral order. */
public record EstimatorPlan(List<LatentPlan> latents, List<vaec.compiler.ir.Site> priorOrder) {
  public LatentPlan of(String latent) {
    return latents.stream().filter(l -> l.latent().name().equals(latent)).findFirst().orElseThrow();
  }
}
