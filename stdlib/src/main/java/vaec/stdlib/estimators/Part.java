package vaec.stdlib.estimators;

import java.util.List;
import vaec.runtime.graph.Node;

/**
 * What lowering the model from some latent on gives: the objective's terms, and a surrogate
 * (batch x 1, or null) added to the differentiated loss but not to the reported objective: the
 * score-function terms, baselines' regression losses and the like.
 */
public record Part(List<Term> terms, Node surrogate) {}
