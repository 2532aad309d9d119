package vaec.stdlib.objectives;

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

  /** The estimators' surrogate terms (batch x 1), or null: added to the differentiated loss only. */
  Node surrogate();
}
