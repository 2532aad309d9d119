package vaec.stdlib.estimators;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.model.EvalMetric;
import vaec.runtime.model.ParamInit;
import vaec.runtime.model.ReportedTerm;
import vaec.runtime.ops.Affine;
import vaec.runtime.ops.CodePerplexity;
import vaec.runtime.ops.CodebookUpdate;
import vaec.runtime.ops.RowSum;
import vaec.runtime.ops.Unary;
import vaec.stdlib.distributions.Codebook;
import vaec.stdlib.distributions.KlRule;
import vaec.stdlib.metrics.CodeUsage;
import vaec.stdlib.metrics.ReconstructionError;

/**
 * The VQ-VAE's estimator (van den Oord, Vinyals and Kavukcuoglu 2017) for a codebook latent: the
 * model reads e, each position's nearest code to the encoder output z_e, and the encoder gets the
 * gradient at e unchanged (straight-through: the value z_e + sg[e - z_e]). Added to the loss
 * trained (not to the reported -ELBO, whose KL term is the constant log K per position under the
 * uniform prior):
 * <ul>
 *   <li>the codebook term ||sg[z_e] - e||^2, which moves the codes toward the encoder outputs
 *       that chose them (with {@code update = gradient}, the default);</li>
 *   <li>the commitment term beta ||z_e - sg[e]||^2 (beta = {@code commitment}, 0.25 by default),
 *       which keeps the encoder near its codes.</li>
 * </ul>
 * With {@code update = ema} the codebook is not trained by its gradient but moved after each step
 * to the exponential moving average of the encoder outputs that chose each code (decay, Laplace
 * smoothing epsilon; {@link CodebookUpdate}), and only the commitment term is added. With
 * {@code restart_dead = R} a code no position chose for R steps is moved onto an encoder output of
 * the current batch (the farthest from its code first). Sums are over a row's positions and code
 * columns, per example.
 */
public final class VqStraightThrough extends GradientEstimator {
  @Override public String keyword() { return "vq"; }

  @Override
  public List<Setting> settings() {
    return List.of(
        Setting.number("commitment", 0.25, 0, false, Double.POSITIVE_INFINITY, false,
            "beta, the weight of the commitment term ||z_e - sg[e]||^2"),
        Setting.choice("update", "gradient", List.of("gradient", "ema"),
            "gradient: the codebook term ||sg[z_e] - e||^2 trains the codes; ema: exponential moving averages of the encoder outputs"),
        Setting.number("decay", 0.99, 0, true, 1, false, "the EMA decay, below 1 (update = ema)"),
        Setting.number("epsilon", 1e-5, 0, true, Double.POSITIVE_INFINITY, false, "the EMA counts' Laplace smoothing (update = ema)"),
        Setting.number("restart_dead", 0, 0, false, 1e9, true,
            "restart a code no position chose for this many steps from the batch's encoder outputs; 0: never"));
  }

  @Override
  public String checkTogether(Settings s) {
    return s.number("decay") >= 1 ? "decay must be below 1 (the EMA would never move)" : null;
  }

  @Override
  public String whyNot(LatentSite z) {
    Optional<Codebook> q = z.guide().codebook();
    if (q.isEmpty()) {
      return "vq trains codebook latents: a latent declared codes[width, positions] with the guide VQ(encoder(x), codes = K), not "
          + z.guide().name();
    }
    Optional<Codebook> p = z.prior().codebook();
    if (p.isEmpty()) return "the prior of codebook latent '" + z.name() + "' must be over its codes, such as UniformCodes(" + q.get().codes() + ")";
    if (p.get().codes() != q.get().codes()) {
      return "the prior of '" + z.name() + "' chooses among " + p.get().codes() + " codes but its guide's codebook has "
          + q.get().codes() + ": give both the same number of codes";
    }
    return null;
  }

  private static Codebook codebook(LatentSite z) { return z.guide().codebook().orElseThrow().at(z.width()); }

  private static boolean ema(Settings s) { return s.choice("update").equals("ema"); }

  @Override
  public String describe(LatentSite z, Settings s) {
    Codebook c = codebook(z);
    String beta = Setting.fmt(s.number("commitment"));
    String out = "straight-through: the decoder reads the nearest of " + c.codes() + " codes at each of " + c.positions()
        + " positions (width " + c.width() + "), and the encoder gets the gradient at the code unchanged (van den Oord et al. 2017); ";
    out += ema(s) ? "codebook by exponential moving averages (decay " + Setting.fmt(s.number("decay")) + ", Laplace epsilon "
        + s.number("epsilon") + "); loss terms added: commitment ||z_e - sg[e]||^2 weight " + beta
        : "loss terms added: codebook ||sg[z_e] - e||^2 weight 1, commitment ||z_e - sg[e]||^2 weight " + beta;
    if (s.number("restart_dead") > 0) {
      out += "; a code unused for " + Setting.fmt(s.number("restart_dead")) + " steps restarts at the batch's farthest encoder output";
    }
    return out;
  }

  @Override
  public KlMode kl(LatentSite z, Optional<KlRule> closedForm) {
    Codebook c = codebook(z);
    return KlMode.other(String.format(java.util.Locale.ROOT,
        "constant: log %d = %.4f nats per position, %.2f nats for %d positions (q puts all its mass on the nearest codes, the prior is uniform)",
        c.codes(), Math.log(c.codes()), c.uniformKl(), c.positions()));
  }

  @Override
  public List<ParamInit> params(LatentSite z, Settings s) {
    Codebook c = codebook(z);
    List<ParamInit> ps = new ArrayList<>();
    ps.add(ParamInit.uniform(c.paramName(), 1.0 / c.codes(), c.codes(), c.width()));
    if (ema(s)) {
      ps.add(ParamInit.constant(z.name() + ".ema_count", 0, c.codes()));
      ps.add(ParamInit.constant(z.name() + ".ema_sum", 0, c.codes(), c.width()));
      ps.add(ParamInit.constant(z.name() + ".ema_steps", 0, 1));
    }
    if (s.number("restart_dead") > 0) ps.add(ParamInit.constant(z.name() + ".code_age", 0, c.codes()));
    return ps;
  }

  /** The graph outputs of a codebook latent's terms: these prefixes, then the latent's name. */
  public static final String CODEBOOK = "codebook_", COMMITMENT = "commitment_", PERPLEXITY = "perplexity_", CODES = "codes_";

  @Override
  public List<ReportedTerm> reported(LatentSite z, Settings s) {
    List<ReportedTerm> out = new ArrayList<>();
    String n = z.name();
    if (!ema(s)) out.add(new ReportedTerm(CODEBOOK + n, "codebook", CODEBOOK + n, "||sg[z_e] - e||^2 of latent " + n + " (weight 1)"));
    out.add(new ReportedTerm(COMMITMENT + n, "commit", COMMITMENT + n,
        "beta ||z_e - sg[e]||^2 of latent " + n + " (beta " + Setting.fmt(s.number("commitment")) + ")"));
    out.add(new ReportedTerm(PERPLEXITY + n, "perplexity", PERPLEXITY + n,
        "exp of the entropy of the codes latent " + n + " chose in a batch (1 to " + codebook(z).codes() + ")"));
    return out;
  }

  /**
   * The codebook's usage on the test set (from the indices the lowering outputs as
   * {@link #CODES}), and the reconstructions' squared error, which says what the -ELBO's constant
   * KL term does not.
   */
  @Override
  public List<EvalMetric> metrics(LatentSite z, Settings s) {
    return List.of(new CodeUsage(z.name(), CODES + z.name(), codebook(z).codes()), ReconstructionError.AT_NEAREST_CODES);
  }

  @Override
  public Part lower(LatentStep step) {
    LatentSite z = step.latent();
    Graph g = step.graph();
    SourceRef o = step.guideOrigin();
    Settings s = step.settings();
    Codebook c = codebook(z);
    Node ze = step.guideArgs().get("input");
    Node idx = c.nearest(g, o, ze);
    Node e = c.lookup(g, o, idx);
    // Forward e, backward the gradient at e to z_e; e's own gradient comes only from the codebook term.
    Node value = step.valuesOnly() ? e : g.apply(new vaec.runtime.ops.StraightThrough(), o, stop(g, o, e), ze);
    step.bind(value);
    List<Term> terms = new ArrayList<>(step.densityTerms(value, z.guide().logProb(g, o, value, step.guideArgs())));
    Node commitment = g.apply(new Affine(s.number("commitment"), 0), o, squaredDistance(g, o, ze, stop(g, o, e)));
    Node surrogate = commitment;
    Node codebookTerm = null;
    if (!ema(s)) {
      codebookTerm = squaredDistance(g, o, stop(g, o, ze), e);
      surrogate = sum(g, codebookTerm, commitment);
    }
    if (!step.frozen()) {
      if (codebookTerm != null) g.output(CODEBOOK + z.name(), codebookTerm);
      g.output(COMMITMENT + z.name(), commitment);
      g.output(PERPLEXITY + z.name(), g.apply(new CodePerplexity(c.codes()), o, idx));
      g.output(CODES + z.name(), idx);
      int restart = (int) s.number("restart_dead");
      if (!step.valuesOnly() && (ema(s) || restart > 0)) {
        List<Node> in = new ArrayList<>(List.of(ze, idx, c.param(g)));
        if (ema(s)) {
          in.add(step.param("ema_count", c.codes()));
          in.add(step.param("ema_sum", c.codes(), c.width()));
          in.add(step.param("ema_steps", 1));
        }
        if (restart > 0) in.add(step.param("code_age", c.codes()));
        g.apply(new CodebookUpdate(c.positions(), c.width(), c.codes(), ema(s), s.number("decay"), s.number("epsilon"), restart), o,
            in.toArray(new Node[0]));
      }
    }
    Part rest = step.rest();
    terms.addAll(rest.terms());
    if (step.valuesOnly()) return new Part(terms, rest.surrogate());
    return new Part(terms, sum(g, rest.surrogate(), surrogate));
  }

  /** Per row, the sum over columns of (a - b)^2. */
  private static Node squaredDistance(Graph g, SourceRef o, Node a, Node b) {
    return g.apply(new RowSum(), o, g.apply(new Unary(Unary.Fn.SQUARE), o, sub(g, o, a, b)));
  }
}
