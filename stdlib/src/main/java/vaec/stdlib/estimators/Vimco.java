package vaec.stdlib.estimators;

import java.util.ArrayList;
import java.util.List;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.ops.Affine;
import vaec.runtime.ops.GroupLeaveOneOut;

/**
 * VIMCO (Mnih and Rezende 2016, "Variational inference for Monte Carlo objectives"): the
 * score-function estimator for a discrete latent under a multi-sample bound. Each example's k
 * samples h_1..h_k have log-weights l_j = log p(x, h_j) - log q(h_j | x) (the whole row, every
 * term: the bound L = log (1/k) sum_j exp(l_j) couples them all). The learning signal of sample j
 * is L - L_{-j}, where L_{-j} replaces l_j by the mean of the other k - 1 log-weights; since L_{-j}
 * does not depend on h_j, the estimator is unbiased. The surrogate is -sum_j stop(L - L_{-j})
 * log q(h_j | x) per example; the pathwise part (the gradient of L through the decoder and through
 * log q as a function of the guide's parameters) is the objective's own loss.
 */
public final class Vimco extends GradientEstimator {
  @Override public String keyword() { return "vimco"; }

  @Override
  public String whyNot(LatentSite z) {
    if (z.guide().whyNoDensity() != null) return z.guide().whyNoDensity();
    if (!z.guide().isDiscrete()) {
      return "vimco is for discrete latents, and " + z.guide().name() + " is continuous"
          + (z.guide().hasPathwiseSampler() ? " (use reparameterized)" : "");
    }
    return null;
  }

  @Override public boolean multiSample() { return true; }

  @Override
  public String describe(LatentSite z, Settings s) {
    return "control variate: per-sample leave-one-out baseline (the bound with this sample's log-weight replaced by the"
        + " mean of the others', Mnih and Rezende 2016); the learning signal is the whole row's log-weight";
  }

  @Override
  public Part lower(LatentStep step) {
    Node[] logQ = new Node[1];
    List<Term> terms = new ArrayList<>(ScoreFunction.drawExactly(step, logQ));
    Part rest = step.rest();
    terms.addAll(rest.terms());
    if (step.valuesOnly()) return new Part(terms, rest.surrogate());
    Graph g = step.graph();
    SourceRef o = step.guideOrigin();
    int k = step.samples();
    Node signal = g.apply(new GroupLeaveOneOut(k), o, stop(g, o, step.logWeight(terms)));
    // Per example the surrogate sums its k rows; the loss averages rows, so each row's term is scaled by k.
    Node scored = mul(g, o, g.apply(new Affine(-k, 0), o, signal), logQ[0]);
    return new Part(terms, sum(g, rest.surrogate(), scored));
  }
}
