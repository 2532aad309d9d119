package vaec.stdlib.estimators;

import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Schedule;
import vaec.runtime.graph.SourceRef;
import vaec.stdlib.distributions.DistributionFamily;
import vaec.stdlib.distributions.KlRule;

/**
 * What an estimator sees while it lowers its latent: the graph, the latent's guide arguments in
 * the current scope, and the rest of the model as a continuation ({@link #rest}). The compiler's
 * lowering implements it; an estimator draws the latent, {@link #bind binds} it, adds its density
 * terms, and asks for the rest, which it may lower once (most estimators), once per value
 * (enumeration, through {@link #branch}) or again on a relaxed value (control variates, through
 * {@link #frozenBefore}).
 */
public interface LatentStep {
  Graph graph();

  LatentSite latent();

  Settings settings();

  /** How the plan computes this latent's KL term. */
  KlMode klMode();

  SourceRef guideOrigin();

  SourceRef priorOrigin();

  /** The guide's arguments, each a node of the latent's width, lowered in the current scope. */
  Map<String, Node> guideArgs();

  /**
   * Whether only the objective's value is wanted: the evaluation graph (relaxed latents are drawn
   * discretely there, so the reported ELBO is the model's own) and control-variate evaluations.
   */
  boolean valuesOnly();

  /** Whether this is a control-variate evaluation (networks frozen, values only). */
  boolean frozen();

  /** Makes {@code value} the latent's value for the rest of the model in the current scope. */
  void bind(Node value);

  /** log p(value) (lowered once the prior's latents are drawn) and -log q(value), as terms. */
  default List<Term> densityTerms(Node value, Node logQ) {
    return densityTerms(value, logQ, latent().prior(), a -> a);
  }

  /** As {@link #densityTerms(Node, Node)} with the prior scored by {@code prior} on mapped arguments. */
  List<Term> densityTerms(Node value, Node logQ, DistributionFamily prior, UnaryOperator<Map<String, Node>> priorArgs);

  /** -KL(q || p) in closed form as a term (lowered once the prior's latents are drawn). */
  List<Term> klTerm(KlRule rule, Map<String, Node> guideArgs);

  /**
   * The learning signal of this latent: the sum of the terms that depend on it
   * (Rao-Blackwellization by dependency), each weighted as the objective weights it (a beta on the
   * KL parts, a free-bits floor that holds a latent's KL constant), so that a score-function
   * gradient is the gradient of the objective actually differentiated. The plain ELBO's signal is
   * the plain sum.
   */
  default Node signal(List<Term> terms) { return GradientEstimator.signal(graph(), terms, latent().name()); }

  /** The objective's samples per example: consecutive groups of this many rows belong to one example. */
  int samples();

  /**
   * The row's whole single-sample log-weight log p(x, z) - log q(z | x): every term lowered in this
   * scope before this latent, plus {@code terms} (this latent's and the rest's). What a
   * multi-sample estimator's signal reads, since under a multi-sample bound every term matters.
   */
  Node logWeight(List<Term> terms);

  /** The terms (and surrogate) of everything after this latent, in the current scope. */
  Part rest();

  /** This step in a child scope: what is bound there stays there (one branch of an enumeration). */
  LatentStep branch();

  /**
   * Whether the rest of the model can be lowered once for all values of this latent, stacked along
   * the rows ({@link #stacked}): every later latent's estimator allows it
   * ({@link GradientEstimator#stacksWithBranches}).
   */
  boolean canStack();

  /**
   * Every one of {@code values} in a block of rows of its own, in the current scope: the value of
   * this latent in the step {@link #stacked}{@code (values.size())} returns.
   */
  Node enumeratedValues(java.util.List<double[]> values);

  /**
   * This step in a child scope whose rows are {@code copies} blocks, one per branch of an
   * enumeration: what was lowered before reads there as copies of itself, and the rest of the model
   * is lowered once on all blocks (one wide gemm per layer, not one per branch). A term of the
   * rest is then a column of blocks that {@link vaec.runtime.ops.WeightedBlockSum} folds back.
   */
  LatentStep stacked(int copies);

  /**
   * Runs {@code body} with this step's rows per example for new nodes that read no value with
   * rows of its own (noise, ops on constants only), and returns its result.
   */
  <T> T within(java.util.function.Supplier<T> body);

  /**
   * This step in a frozen child of the scope as it was before the latent was bound: the model is
   * evaluated there with networks frozen and values only (how a control variate reads the model).
   */
  LatentStep frozenBefore();

  /** Every data variable side by side, batch x total width (what NVIL's baseline network reads). */
  Node dataInput();

  /** A parameter of this estimator for this latent, named "LATENT.NAME". */
  Node param(String name, long... shape);

  /** The full name {@link #param} gives. */
  String paramName(String name);

  Node constant(double value, int width);

  Node scheduled(Schedule schedule, int width);

  /** Offers {@code node} (its value, or with {@code gradient} its gradient) to this estimator's companion graph. */
  void exportLink(String key, Node node, boolean gradient);

  /** In a companion graph: the node the training graph exported under {@code key}. */
  Node importLink(String key, int width);
}
