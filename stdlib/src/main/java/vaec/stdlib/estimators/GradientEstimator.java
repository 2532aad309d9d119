package vaec.stdlib.estimators;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.model.ParamInit;
import vaec.runtime.ops.Affine;
import vaec.runtime.ops.Binary;
import vaec.runtime.ops.StopGradient;
import vaec.stdlib.distributions.KlRule;

/**
 * A gradient estimator for one latent variable: one class owns when it applies and why not, its
 * settings, its KL policy, how it lowers, and the parameters and companion graph it adds. The
 * planner and the lowering only call these methods; a new estimator is a new subclass and one
 * entry in {@link Estimators}.
 */
public abstract class GradientEstimator {
  /** The name a model writes after {@code using}. */
  public abstract String keyword();

  /** Null when this estimator can serve the latent, else the reason it cannot. */
  public abstract String whyNot(LatentSite latent);

  /** The settings {@code using NAME(...)} accepts; a positional argument is the first. */
  public List<Setting> settings() { return List.of(); }

  /** Checks that need several settings at once; null when they agree, else the message. */
  public String checkTogether(Settings s) { return null; }

  /**
   * What the compile summary adds about this estimator for this latent and settings (its control
   * variate, its temperature), or "" when the choice says it all.
   */
  public String describe(LatentSite latent, Settings s) { return ""; }

  /** How the KL term is computed given the closed form for this pair of families, if any. */
  public KlMode kl(LatentSite latent, Optional<KlRule> closedForm) {
    return KlMode.monteCarlo(closedForm.isPresent() ? "the " + keyword() + " estimator needs log p(z) - log q(z) at the drawn z"
        : latent.guide().noClosedFormKl(latent.prior()));
  }

  /** Parameters this estimator adds for the latent (baseline state, control variates), with their start. */
  public List<ParamInit> params(LatentSite latent, Settings s) { return List.of(); }

  /**
   * Terms this estimator reports for the latent beside the objective's (the VQ-VAE's codebook and
   * commitment losses, the codebook's perplexity): each an output of the training and evaluation
   * graphs, per row, shown in training and written to metrics.json.
   */
  public List<vaec.runtime.model.ReportedTerm> reported(LatentSite latent, Settings s) { return List.of(); }

  /**
   * Metrics the evaluation reports for the latent on a data set, each reading outputs this
   * estimator's lowering gives the evaluation or reconstruct graph (the VQ-VAE's code usage):
   * printed by {@code vaec eval} and {@code vaec run} and written to metrics.json as they say.
   */
  public List<vaec.runtime.model.EvalMetric> metrics(LatentSite latent, Settings s) { return List.of(); }

  /** Lowers the latent and, through {@link LatentStep#rest}, everything after it. */
  public abstract Part lower(LatentStep step);

  /**
   * The loss of this estimator's companion graph, or null when it has none: a graph run after
   * each backward pass of the training graph to train the estimator's own parameters (REBAR's
   * and RELAX's variance objective). {@code step} lowers into the companion graph.
   */
  public Node companionLoss(LatentStep step) { return null; }

  /**
   * Whether the estimator is built for a multi-sample bound: its learning signal reads the other
   * samples of the same example (VIMCO), so only an objective with several samples per example
   * accepts it ({@link vaec.stdlib.objectives.Objective#whyNot}).
   */
  public boolean multiSample() { return false; }

  /** Whether the rest of the model is lowered more than once, one branch per value (enumeration). */
  public boolean branchesTheRest() { return false; }

  /**
   * Whether this latent can be lowered inside the stacked branches of an enumerated latent before
   * it (all values at once, one block of rows per value; see {@link LatentStep#stacked}): every op
   * it adds treats each row on its own. False for estimators that read the batch as a whole (a
   * running baseline's mean, a codebook's statistics), which keep one branch per value.
   */
  public boolean stacksWithBranches() { return false; }

  /** Whether the estimator reads one pass's draws in a companion graph, so it cannot follow a branching one. */
  public boolean needsSinglePass() { return false; }

  @Override public String toString() { return keyword(); }

  // ------------------------------------------------------------ helpers the estimators share

  /** a + b, with null for an empty sum. */
  protected static Node sum(Graph g, Node acc, Node term) {
    if (term == null) return acc;
    return acc == null ? term : g.apply(new Binary(Binary.Kind.ADD), term.origin(), acc, term);
  }

  protected static Node stop(Graph g, SourceRef o, Node n) { return g.apply(new StopGradient(), o, n); }

  protected static Node neg(Graph g, SourceRef o, Node n) { return g.apply(new Affine(-1, 0), o, n); }

  protected static Node sub(Graph g, SourceRef o, Node a, Node b) { return g.apply(new Binary(Binary.Kind.SUB), o, a, b); }

  protected static Node mul(Graph g, SourceRef o, Node a, Node b) { return g.apply(new Binary(Binary.Kind.MUL), o, a, b); }

  /** The sum of the terms that depend on {@code latent} (Rao-Blackwellization by dependency). */
  protected static Node signal(Graph g, List<Term> terms, String latent) {
    Node s = null;
    for (Term t : terms) if (t.deps().contains(latent)) s = sum(g, s, t.node());
    return s;
  }

  /** {@code terms} followed by the rest's terms, with the rest's surrogate. */
  protected static Part then(List<Term> terms, Part rest) {
    List<Term> all = new java.util.ArrayList<>(terms);
    all.addAll(rest.terms());
    return new Part(all, rest.surrogate());
  }

  protected static boolean byLogits(Set<String> args) { return args.contains("logits"); }
}
