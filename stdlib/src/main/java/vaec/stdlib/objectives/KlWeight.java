package vaec.stdlib.objectives;

import vaec.runtime.graph.Schedule;

/**
 * How an objective weights each latent's KL term in the loss it differentiates: by beta, a
 * schedule of the training step (fixed, or warmed up), after a floor of {@code freeBits} nats on
 * the mini-batch mean of the latent's KL (0: no floor). The lowering weights score-function
 * learning signals the same way (see {@link vaec.stdlib.estimators.LatentStep#signal}).
 */
public record KlWeight(Schedule beta, double freeBits) {
  /** Whether it weights anything: a plain ELBO's terms are not touched at all. */
  public boolean isIdentity() { return beta.isFixed() && beta.initial() == 1.0 && freeBits == 0; }
}
