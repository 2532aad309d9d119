package vaec.stdlib.objectives;

import java.util.Map;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.stdlib.estimators.Settings;

/** What an objective sees when it lowers: the model's summed terms per row (one row per sample). */
public interface ObjectiveStep {
  Graph graph();

  Settings settings();

  /** Samples per example: consecutive groups of this many rows belong to one example. */
  int samples();

  /**
   * The single-sample ELBO of each row: log p(x, z) - log q(z | x), with closed-form or summed
   * parts where the plan chose them (batch x 1).
   */
  Node elbo();

  /** The likelihood terms' part of {@link #elbo} (batch x 1). */
  Node likelihood();

  /**
   * The KL term of each latent, per row (batch x 1), by latent name in guide order: log q(z | ...)
   * - log p(z | ...) at the draw (Monte Carlo), the closed form, or for an enumerated latent the
   * exact q-weighted sum. {@code likelihood() - (sum of these)} is {@link #elbo} (up to float
   * rounding). The nodes are lowered on the first call, so an objective that never asks leaves
   * the graph as it was.
   */
  Map<String, Node> kl();

  /** Whether this is the training graph (false: the evaluation graph, which sees no training step). */
  boolean training();

  /**
   * {@link #elbo} lowered a second time at the same draws with every network's parameters held
   * (frozen networks, the guide's density at held arguments): the same values, whose gradient
   * reaches the parameters only through the pathwise draws, (d l / d z)(d z / d phi). Lowered on
   * the first call; a refusal (a diagnostic) when the guide of a latent reads another latent.
   */
  Node heldElbo();

  /** The estimators' surrogate terms (batch x 1), or null: added to the differentiated loss only. */
  Node surrogate();
}
