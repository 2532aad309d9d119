package vaec.stdlib.estimators;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.ops.Unary;
import vaec.runtime.ops.WeightedBlockSum;
import vaec.stdlib.distributions.KlRule;

/**
 * Exact enumeration of a small discrete support: the rest of the model is lowered once per value
 * and summed, weighted by q(value), which is exact and differentiable in q's parameters (the
 * sum Pyro's TraceEnum_ELBO computes).
 */
public final class Enumeration extends GradientEstimator {
  /** The largest support the planner enumerates on its own: 2^6 = 64 values. */
  public static final double LIMIT_LOG2 = 6;
  /** What a user may force with {@code using enumerate}: 2^16 = 65,536 values per example. */
  public static final double MAX_LOG2 = 16;

  @Override public String keyword() { return "enumerate"; }

  @Override
  public String whyNot(LatentSite z) {
    if (z.guide().whyNoDensity() != null) return z.guide().whyNoDensity();
    if (!z.guide().isDiscrete()) return z.guide().name() + " is continuous: there is nothing finite to enumerate";
    double log2 = z.guide().log2SupportSize(z.width());
    return log2 > MAX_LOG2 ? String.format("%s[%d] has 2^%.0f values per example, more than the 2^%.0f enumeration can sum",
        z.guide().name(), z.width(), log2, MAX_LOG2) : null;
  }

  /** Whether the planner enumerates this latent when the model names no estimator. */
  static boolean small(LatentSite z) { return z.guide().isDiscrete() && z.guide().log2SupportSize(z.width()) <= LIMIT_LOG2; }

  @Override
  public KlMode kl(LatentSite z, Optional<KlRule> closedForm) {
    return KlMode.other("exact: log p - log q is summed over every value, weighted by q");
  }

  @Override public boolean branchesTheRest() { return true; }

  @Override public boolean stacksWithBranches() { return true; }

  @Override
  public Part lower(LatentStep step) {
    return step.canStack() ? lowerStacked(step) : lowerBranches(step);
  }

  /**
   * All values at once: the rest of the model is lowered once in a scope whose rows are one block
   * per value ({@link LatentStep#stacked}), and each of its terms is folded back into one row per
   * example weighted by q(value) ({@link WeightedBlockSum}). The same sum as
   * {@link #lowerBranches}, in one wide gemm per layer instead of one narrow gemm per value.
   */
  private Part lowerStacked(LatentStep step) {
    Graph g = step.graph();
    LatentSite z = step.latent();
    SourceRef o = step.guideOrigin();
    List<double[]> values = z.guide().enumerate(z.width());
    int k = values.size();
    step.guideArgs();   // lowered once per example (the encoder), before the branches read them as copies
    Node value = step.enumeratedValues(values);
    LatentStep all = step.stacked(k);
    all.bind(value);
    return all.within(() -> {
      Node logQ = z.guide().logProb(g, o, value, all.guideArgs());
      Node weight = g.apply(new Unary(Unary.Fn.EXP), o, logQ);
      List<Term> terms = new ArrayList<>(all.densityTerms(value, logQ));
      Part rest = all.rest();
      terms.addAll(rest.terms());
      Node f = null;
      Node lik = null;
      Set<String> deps = new LinkedHashSet<>();
      for (Term t : terms) {
        f = sum(g, f, t.node());
        if (t.likelihood()) lik = sum(g, lik, t.node());
        deps.addAll(t.deps());
      }
      deps.remove(z.name());   // summed out: nothing downstream of this point varies with z any more
      Node objective = fold(g, o, k, weight, f);
      Node surrogate = rest.surrogate() == null ? null : fold(g, o, k, stop(g, o, weight), rest.surrogate());
      List<Term> out = new ArrayList<>();
      if (lik != null) {
        Node likelihood = fold(g, o, k, weight, lik);
        out.add(new Term(likelihood, deps, true));
        objective = sub(g, o, objective, likelihood);
      }
      out.add(Term.mixed(objective, deps, klParts(g, o, k, weight, terms)));
      return new Part(out, surrogate);
    });
  }

  /** sum over the k blocks of weight * f: one row per example again. */
  private static Node fold(Graph g, SourceRef o, int k, Node weight, Node f) {
    return g.apply(new WeightedBlockSum(k), o, weight, f);
  }

  /** As {@link #klParts(Graph, SourceRef, List, List)} for the stacked branches: each latent's parts folded once. */
  private static java.util.function.Supplier<Map<String, Node>> klParts(Graph g, SourceRef o, int k, Node weight, List<Term> terms) {
    Map<String, Node>[] memo = new Map[1];
    return () -> {
      if (memo[0] != null) return memo[0];
      Map<String, Node> inBranches = new java.util.LinkedHashMap<>();
      for (Term t : terms) for (var e : t.klParts().entrySet()) inBranches.merge(e.getKey(), e.getValue(), (a, b) -> sum(g, a, b));
      Map<String, Node> out = new java.util.LinkedHashMap<>();
      for (var e : inBranches.entrySet()) out.put(e.getKey(), fold(g, o, k, weight, e.getValue()));
      memo[0] = java.util.Collections.unmodifiableMap(out);
      return memo[0];
    };
  }

  /**
   * One branch per value, each lowered on its own: for a later latent whose estimator reads the
   * batch as a whole ({@link GradientEstimator#stacksWithBranches} false: the score function's
   * running baseline), which stacked branches would change.
   */
  private Part lowerBranches(LatentStep step) {
    Graph g = step.graph();
    LatentSite z = step.latent();
    SourceRef o = step.guideOrigin();
    Map<String, Node> qArgs = step.guideArgs();
    Node objective = null;
    Node likelihood = null;
    Node surrogate = null;
    Set<String> deps = new LinkedHashSet<>();
    List<Node> weights = new ArrayList<>();
    List<List<Term>> branches = new ArrayList<>();
    for (double[] v : z.guide().enumerate(z.width())) {
      LatentStep branch = step.branch();
      Node value = g.constantRow(v);
      branch.bind(value);
      Node logQ = z.guide().logProb(g, o, value, qArgs);
      Node weight = g.apply(new Unary(Unary.Fn.EXP), o, logQ);
      List<Term> all = new ArrayList<>(branch.densityTerms(value, logQ));
      Part rest = branch.rest();
      all.addAll(rest.terms());
      weights.add(weight);
      branches.add(all);
      Node f = null;
      Node lik = null;
      for (Term t : all) {
        f = sum(g, f, t.node());
        if (t.likelihood()) lik = sum(g, lik, t.node());
        deps.addAll(t.deps());
      }
      objective = sum(g, objective, mul(g, o, weight, f));
      if (lik != null) likelihood = sum(g, likelihood, mul(g, o, weight, lik));
      if (rest.surrogate() != null) surrogate = sum(g, surrogate, mul(g, o, stop(g, o, weight), rest.surrogate()));
    }
    deps.remove(z.name());   // summed out: nothing downstream of this point varies with z any more
    List<Term> terms = new ArrayList<>();
    if (likelihood != null) {
      terms.add(new Term(likelihood, deps, true));
      objective = sub(g, o, objective, likelihood);
    }
    terms.add(Term.mixed(objective, deps, klParts(g, o, weights, branches)));
    return new Part(terms, surrogate);
  }

  /**
   * Each latent's share of the enumerated term, built on the first request only (the graph of a
   * model whose objective never asks is unchanged): sum over values of q(value) times that
   * latent's parts in the value's branch. The enumerated latent's own share is
   * sum_v q(v) (log p(v) - log q(v)) = -KL(q || p), exact; a later latent's is its KL averaged
   * over the enumerated values. The shares and the likelihood term add up to the ELBO.
   */
  private static java.util.function.Supplier<Map<String, Node>> klParts(Graph g, SourceRef o, List<Node> weights,
                                                                       List<List<Term>> branches) {
    Map<String, Node>[] memo = new Map[1];
    return () -> {
      if (memo[0] != null) return memo[0];
      Map<String, Node> out = new java.util.LinkedHashMap<>();
      for (int i = 0; i < weights.size(); i++) {
        Map<String, Node> inBranch = new java.util.LinkedHashMap<>();
        for (Term t : branches.get(i)) for (var e : t.klParts().entrySet()) inBranch.merge(e.getKey(), e.getValue(), (a, b) -> sum(g, a, b));
        for (var e : inBranch.entrySet()) out.merge(e.getKey(), mul(g, o, weights.get(i), e.getValue()), (a, b) -> sum(g, a, b));
      }
      memo[0] = java.util.Collections.unmodifiableMap(out);
      return memo[0];
    };
  }
}
