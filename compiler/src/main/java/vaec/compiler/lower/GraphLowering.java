package vaec.compiler.lower;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import vaec.compiler.ir.IrExpr;
import vaec.compiler.ir.ProbModel;
import vaec.compiler.ir.SemiImplicitBlock;
import vaec.compiler.ir.Site;
import vaec.compiler.ir.Variable;
import vaec.compiler.plan.EstimatorPlan;
import vaec.compiler.plan.LatentPlan;
import vaec.compiler.plan.ObjectivePlan;
import vaec.stdlib.objectives.KlWeight;
import vaec.stdlib.objectives.ObjectiveStep;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Schedule;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.model.ParamInit;
import vaec.runtime.ops.Affine;
import vaec.runtime.ops.Binary;
import vaec.runtime.ops.Concat;
import vaec.runtime.ops.EnumeratedValues;
import vaec.runtime.ops.FreeBitsGate;
import vaec.runtime.ops.ScheduledScale;
import vaec.runtime.ops.Reciprocal;
import vaec.runtime.ops.Slice;
import vaec.runtime.ops.StopGradient;
import vaec.runtime.ops.Unary;
import vaec.stdlib.Catalog;
import vaec.stdlib.distributions.DistributionFamily;
import vaec.stdlib.distributions.KlRule;
import vaec.stdlib.estimators.GradientEstimator;
import vaec.stdlib.estimators.KlMode;
import vaec.stdlib.estimators.LatentSite;
import vaec.stdlib.estimators.LatentStep;
import vaec.stdlib.estimators.Part;
import vaec.stdlib.estimators.Settings;
import vaec.stdlib.estimators.Term;
import vaec.stdlib.sivi.SemiImplicit;

/**
 * Pass 5: the IR and the plan to computation graphs, one per purpose (see
 * {@link vaec.runtime.model.CompiledModel}).
 *
 * <p>The objective is assembled from small pieces, Pyro-style. The latents are visited in the
 * plan's guide order, and each one's estimator ({@link GradientEstimator#lower}) draws it, adds
 * its density terms and asks for the rest of the model through a {@link LatentStep}, which this
 * class implements: it owns scopes (what is bound), prior terms that wait for the latents they
 * read, dependencies for Rao-Blackwellization, and expression lowering. Nothing here knows an
 * estimator or a family by name.
 *
 * <p>The reported loss is the negative objective; the loss that is differentiated adds the
 * estimators' surrogate terms, whose value is not part of the objective.
 */
public final class GraphLowering {
  /**
   * A combination the lowering cannot build, found only while lowering (the compiler reports it as
   * a diagnostic at {@code span}).
   */
  public static final class Refusal extends RuntimeException {
    private final vaec.compiler.Span span;
    private final String hint;

    Refusal(vaec.compiler.Span span, String message, String hint) {
      super(message);
      this.span = span;
      this.hint = hint;
    }

    public vaec.compiler.Span span() { return span; }
    public String hint() { return hint; }
  }

  /** What a graph is for. */
  public enum Purpose { TRAIN, EVALUATE, LOG_WEIGHT, PRIOR_SAMPLE, RECONSTRUCT, DECODE, COMPANION }

  private final ProbModel model;
  private final EstimatorPlan plan;
  private final Catalog catalog;
  private final Purpose purpose;
  private final Graph g = new Graph();
  /** Values read in the stacked branches of an enumerated latent, as copies (see {@link RowLift}). */
  private final RowLift lift = new RowLift(g);
  private final Map<String, Node> constants = new HashMap<>();
  private final Map<String, Set<String>> closure = new HashMap<>();
  /**
   * Handles on the training graph's nodes that its companion reads (REBAR's draws, the data), by
   * an internal key of this compilation; the companion's inputs hold the handles themselves.
   */
  private final Map<String, Graph.Link> exports;
  /**
   * Whether an enumerated latent lowers the rest of the model once on all its values, stacked along
   * the rows ({@link LatentStep#stacked}), where every later latent allows it; when false, once per
   * value, as separate branches (what tests compare the stacked lowering with).
   */
  private final boolean stackBranches;
  /** Each data variable's input node in this graph (an input, or a linked input in the companion). */
  private final Map<String, Node> dataNodes = new HashMap<>();

  /**
   * Values bound so far: lowered expressions and latents, and prior terms still waiting. A branch
   * of an enumeration gets a child. A frozen scope evaluates the model for a control variate:
   * networks called in it give their parameters no gradient, and estimators lower values only.
   */
  private static final class Scope {
    final Map<IrExpr, Node> memo;
    final Map<String, Node> latents;
    final Map<String, PendingPrior> pending;
    final boolean frozen;
    /** Whether this is a branch of an enumeration (its KL parts are one value's, not the row's). */
    final boolean branch;
    /** The KL parts (log p, -log q, closed-form -KL) lowered in this scope so far, by latent. */
    final Map<String, List<Node>> klParts;
    /** Rows per example: 1, or one block per branch in the stacked branches of enumerated latents (see {@link RowLift}). */
    final int rows;
    /** log q(z | psi_0) of each latent of a semi-implicit block drawn in this scope, until the block is complete. */
    final Map<String, Node> mixingOwn = new LinkedHashMap<>();
    /** The sum of a completed block's log q(z | psi_0), set with its log h_K. */
    Node mixingOwnTotal;

    Scope(Map<IrExpr, Node> memo, Map<String, Node> latents, Map<String, PendingPrior> pending, boolean frozen, boolean branch,
          Map<String, List<Node>> klParts, int rows) {
      this.memo = memo;
      this.latents = latents;
      this.pending = pending;
      this.frozen = frozen;
      this.branch = branch;
      this.klParts = klParts;
      this.rows = rows;
    }

    static Scope empty() {
      return new Scope(new IdentityHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>(), false, false, new LinkedHashMap<>(), 1);
    }

    Scope child() { return copy(frozen, true, rows); }

    Scope frozenChild() { return copy(true, branch, rows); }

    /** A branch whose rows are {@code copies} blocks, one per value of an enumerated latent: what this scope holds reads there as copies. */
    Scope stacked(int copies) { return copy(frozen, true, rows * copies); }

    private Scope copy(boolean frozenCopy, boolean branchCopy, int rowsCopy) {
      Map<String, List<Node>> parts = new LinkedHashMap<>();
      for (var e : klParts.entrySet()) parts.put(e.getKey(), new ArrayList<>(e.getValue()));
      Scope out = new Scope(new IdentityHashMap<>(memo), new LinkedHashMap<>(latents), new LinkedHashMap<>(pending), frozenCopy, branchCopy,
          parts, rowsCopy);
      out.mixingOwn.putAll(mixingOwn);
      return out;
    }

    /** A KL part of {@code latent}, as a term, registered in this scope. */
    Term klPart(Node node, Set<String> deps, String latent) {
      klParts.computeIfAbsent(latent, k -> new ArrayList<>()).add(node);
      return Term.kl(node, deps, latent);
    }
  }

  /**
   * A latent's prior term, waiting until every latent its prior reads has been drawn: the guide
   * may sample bottom-up (z1 from x, then z2 from z1) while the prior runs top-down (z2, then z1
   * given z2), so log p(z1 | z2) can only be lowered once z2 is drawn. The term is handed the
   * prior's arguments and a map that lifts the values it holds to the rows of the scope that lowers
   * it (a stacked branch of an enumeration reads them as copies, see {@link RowLift}).
   */
  private record PendingPrior(Site prior, PriorTerm term, Set<String> deps) {}

  /** A prior term given the prior's arguments, with {@code up} lifting the values it captured to the arguments' rows. */
  @FunctionalInterface
  private interface PriorTerm {
    Node lower(Map<String, Node> priorArgs, UnaryOperator<Node> up);
  }

  /** Every value of {@code args} lifted by {@code up}. */
  private static Map<String, Node> liftAll(Map<String, Node> args, UnaryOperator<Node> up) {
    Map<String, Node> out = new LinkedHashMap<>();
    for (var e : args.entrySet()) out.put(e.getKey(), up.apply(e.getValue()));
    return out;
  }

  private GraphLowering(ProbModel model, EstimatorPlan plan, Catalog catalog, Purpose purpose, Map<String, Graph.Link> exports,
                        boolean stackBranches) {
    this.stackBranches = stackBranches;
    this.model = model;
    this.plan = plan;
    this.catalog = catalog;
    this.purpose = purpose;
    this.exports = exports;
    for (Site q : model.guide()) closureOf(q.variable());
  }

  /** The graph for {@code purpose} (the training graph and its companion come from {@link #lowerTraining}). */
  public static Graph lower(ProbModel model, EstimatorPlan plan, Catalog catalog, Purpose purpose) {
    GraphLowering l = new GraphLowering(model, plan, catalog, purpose, new LinkedHashMap<>(), true);
    switch (purpose) {
      case TRAIN, EVALUATE -> l.objective();
      case LOG_WEIGHT -> l.logWeight();
      case PRIOR_SAMPLE -> l.priorSample();
      case RECONSTRUCT -> l.reconstruct();
      case DECODE -> l.decode();
      case COMPANION -> throw new IllegalArgumentException("the companion graph is lowered with the training graph: lowerTraining");
    }
    return l.g;
  }

  /** The training graph and its companion graph (null when no estimator has one). */
  public record Training(Graph train, Graph companion) {}

  /**
   * The training graph and, when an estimator has one, its companion, lowered together: the
   * companion's inputs are handles on the training graph's nodes ({@link Graph#linkedInput}).
   */
  public static Training lowerTraining(ProbModel model, EstimatorPlan plan, Catalog catalog) {
    return lowerTraining(model, plan, catalog, true);
  }

  /**
   * As {@link #lowerTraining(ProbModel, EstimatorPlan, Catalog)}; with {@code stackBranches} false,
   * every enumerated latent lowers the rest of the model once per value (separate branches), the
   * lowering the stacked one must agree with.
   */
  public static Training lowerTraining(ProbModel model, EstimatorPlan plan, Catalog catalog, boolean stackBranches) {
    Map<String, Graph.Link> exports = new LinkedHashMap<>();
    GraphLowering t = new GraphLowering(model, plan, catalog, Purpose.TRAIN, exports, stackBranches);
    t.objective();
    for (Variable x : model.data()) exports.put(dataKey(x.name()), new Graph.Link(t.g.inputs().get(x.name()), false));
    GraphLowering c = new GraphLowering(model, plan, catalog, Purpose.COMPANION, exports, stackBranches);
    return new Training(t.g, c.companion() ? c.g : null);
  }

  private static String dataKey(String name) { return "data " + name; }

  /** The companion's input for a handle the training graph exported under {@code key}. */
  private Node imported(String key, String label) {
    Graph.Link link = exports.get(key);
    if (link == null) throw new IllegalStateException("the training graph exported no " + key);
    return g.linkedInput(label, link);
  }

  /** Parameters the estimators add (baseline state, baseline and control-variate networks), with their start. */
  public static List<ParamInit> estimatorParams(EstimatorPlan plan) {
    List<ParamInit> ps = new ArrayList<>();
    for (LatentPlan lp : plan.latents()) ps.addAll(lp.estimator().params(lp.site(), lp.settings()));
    return ps;
  }

  // ---------------------------------------------------------------- the objective

  /** The model's terms summed per row, handed to the plan's objective, which makes the loss and its reported outputs. */
  private void objective() {
    Scope root = rootScope();
    Part part = rest(0, root);
    Node elbo = null;
    Node logLik = null;
    for (Term t : part.terms()) {
      elbo = sum(elbo, t.node());
      if (t.likelihood()) logLik = sum(logLik, t.node());
    }
    Node single = elbo;
    // a model without data has no likelihood: its reconstruction term is 0
    Node likelihood = logLik != null ? logLik : g.apply(new Affine(0, 0), SourceRef.NONE, elbo);
    ObjectivePlan op = plan.objective();
    ObjectiveStep step = new ObjectiveStep() {
      private Map<String, Node> kl;
      private Node held;

      @Override public Graph graph() { return g; }
      @Override public Settings settings() { return op.settings(); }
      @Override public int samples() { return op.samples(); }
      @Override public Node elbo() { return single; }
      @Override public Node likelihood() { return likelihood; }
      @Override public Node surrogate() { return part.surrogate(); }
      @Override public boolean training() { return purpose == Purpose.TRAIN; }

      @Override
      public Map<String, Node> kl() {
        if (kl == null) kl = klOf(part.terms());
        return kl;
      }

      @Override
      public Node heldElbo() {
        if (held == null) held = heldLogWeight(root);
        return held;
      }
    };
    op.objective().lower(step);
    // The evaluation graph also reports each latent's KL term per row ("kl_" + latent), so
    // evaluation can show which latents carry information; the training graph is left as it was.
    if (purpose == Purpose.EVALUATE) {
      for (var e : step.kl().entrySet()) g.output(KL_OUTPUT + e.getKey(), e.getValue());
    }
  }

  /**
   * log p(x, z) - log q(z | x) per row at the draws {@code drawn} bound, with every network frozen
   * and the guide's arguments (already computed in {@code drawn}) held: the same values as the
   * objective's single-sample ELBO, whose gradient reaches the parameters only through the draws.
   * Each guide must read only the data: the DReG identity is applied one latent at a time, with the
   * other latents' draws fixed, which a guide reading another latent breaks.
   */
  private Node heldLogWeight(Scope drawn) {
    Scope s = Scope.empty().frozenChild();
    for (LatentPlan lp : plan.latents()) {
      Site q = lp.guide();
      if (!q.family().scoresAnyValue()) {
        throw new Refusal(q.span(), "iwae(gradient = dreg) rescores each draw with the guide's arguments held, and the " + q.family().name()
            + " guide of '" + q.variable() + "' gives log q(z) only along its own draws", "use iwae(gradient = standard) for a flow guide");
      }
      if (model.semiImplicitOf(q.variable()) != null) {
        throw new Refusal(q.span(), "iwae(gradient = dreg) rescores each draw with the guide's arguments held, and the semi-implicit guide of '"
            + q.variable() + "' has no density to rescore (only the K + 1 mixture along its draws)", "use iwae(gradient = standard)");
      }
      if (!q.dependsOn().isEmpty()) {
        throw new Refusal(q.span(), "iwae(gradient = dreg) is built for guides whose latents read only the data: the guide of '"
            + q.variable() + "' reads '" + String.join("', '", q.dependsOn()) + "'", "use iwae(gradient = standard) for this model");
      }
      Node z = drawn.latents.get(q.variable());
      if (z == null) throw new IllegalStateException("latent " + q.variable() + " was not drawn in the objective's scope");
      s.latents.put(q.variable(), z);
    }
    Node logW = null;
    for (LatentPlan lp : plan.latents()) {
      Site q = lp.guide();
      Site p = lp.prior();
      Node z = s.latents.get(q.variable());
      logW = sum(logW, p.family().logProb(g, ref(p.origin()), z, args(p, s)));
      // the guide's arguments as the objective's lowering computed them (they read only the data), held
      Map<String, Node> held = new LinkedHashMap<>();
      for (var e : args(q, drawn).entrySet()) held.put(e.getKey(), g.apply(new StopGradient(), ref(q.origin()), e.getValue()));
      Node logQ = q.family().logProb(g, ref(q.origin()), z, held);
      logW = g.apply(new Binary(Binary.Kind.SUB), ref(q.origin()), logW, logQ);
    }
    for (Site x : model.likelihood()) logW = sum(logW, x.family().logProb(g, ref(x.origin()), data(x.variable()), args(x, s)));
    return logW;
  }

  /** The prefix of the evaluation graph's per-latent KL outputs. */
  public static final String KL_OUTPUT = "kl_";

  /** Each latent's KL per row, in guide order: minus the sum of its parts among {@code terms}. */
  private Map<String, Node> klOf(List<Term> terms) {
    Map<String, Node> negative = new LinkedHashMap<>();
    for (LatentPlan lp : plan.latents()) negative.put(lp.latent().name(), null);
    for (Term t : terms) for (var e : t.klParts().entrySet()) negative.merge(e.getKey(), e.getValue(), this::sum);
    Map<String, Node> out = new LinkedHashMap<>();
    for (var e : negative.entrySet()) {
      if (e.getValue() != null) out.put(e.getKey(), g.apply(new Affine(-1, 0), SourceRef.NONE, e.getValue()));
    }
    return out;
  }

  private Scope rootScope() {
    int k = plan.objective().samples();
    for (Variable x : model.data()) {
      Node n = purpose == Purpose.COMPANION ? imported(dataKey(x.name()), x.name()) : g.input(x.name(), x.width());
      // Training repeats each example over the objective's k samples: read the data once per
      // example, so that what depends only on it (the guide's networks) runs on batch rows, not
      // batch x k (Graph.apply widens it where the draws join it).
      if (purpose == Purpose.TRAIN && k > 1) n = g.apply(new vaec.runtime.ops.FirstOfGroup(k), SourceRef.NONE, n);
      dataNodes.put(x.name(), n);
    }
    return Scope.empty();
  }

  /** The node of a data variable's values in this graph. */
  private Node data(String name) {
    Node n = dataNodes.get(name);
    if (n == null) throw new IllegalStateException("data " + name + " is not an input of this graph");
    return n;
  }

  /** The terms of latents i.. and the likelihood, given what {@code s} binds. */
  private Part rest(int i, Scope s) { return lift.at(s.rows, () -> restAt(i, s)); }

  private Part restAt(int i, Scope s) {
    List<Term> ready = readyPriors(s);
    Part after;
    if (i < plan.latents().size()) {
      LatentPlan lp = plan.latents().get(i);
      after = lp.estimator().lower(new Step(i, lp, s));
    } else {
      if (!s.pending.isEmpty()) throw new IllegalStateException("prior terms never lowered: " + s.pending.keySet());
      List<Term> terms = new ArrayList<>();
      for (Site x : model.likelihood()) {
        terms.add(new Term(x.family().logProb(g, ref(x.origin()), lift.to(data(x.variable()), s.rows), args(x, s)), depsOfArgs(x), true));
      }
      after = new Part(terms, null);
    }
    if (ready.isEmpty()) return after;
    ready.addAll(after.terms());
    return new Part(ready, after.surrogate());
  }

  /**
   * Registers the prior term of a drawn latent ({@code term} maps the prior's arguments to the
   * term's node, with dependencies {@code deps} beyond the prior's own) and returns it, with any
   * other waiting prior terms, if their latents are all drawn now; otherwise it waits in the scope.
   */
  private List<Term> priorTerm(Scope s, Site p, PriorTerm term, Set<String> deps) {
    s.pending.put(p.variable(), new PendingPrior(p, term, deps));
    return readyPriors(s);
  }

  /** The waiting prior terms whose prior's latents are all drawn in {@code s}, removed from it. */
  private List<Term> readyPriors(Scope s) {
    List<Term> out = new ArrayList<>();
    for (var it = s.pending.values().iterator(); it.hasNext(); ) {
      PendingPrior pp = it.next();
      if (!s.latents.keySet().containsAll(pp.prior().dependsOn())) continue;
      it.remove();
      Node term = pp.term().lower(args(pp.prior(), s), n -> lift.to(n, s.rows));
      out.add(s.klPart(term, union(pp.deps(), depsOfArgs(pp.prior())), pp.prior().variable()));
    }
    return out;
  }

  /** log p(z) (maybe waiting, under {@code priorFamily} on mapped arguments) and -log q(z) for a drawn z. */
  private List<Term> densityTerms(Scope s, Site q, Site p, Node value, Node logQ, DistributionFamily priorFamily,
                                  UnaryOperator<Map<String, Node>> priorArgs) {
    Set<String> own = union(Set.of(q.variable()), closureOf(q.variable()));
    List<Term> out = new ArrayList<>(priorTerm(s, p,
        (pArgs, up) -> priorFamily.logProb(g, ref(p.origin()), up.apply(value), liftAll(priorArgs.apply(pArgs), up)), own));
    out.add(s.klPart(g.apply(new Affine(-1, 0), ref(q.origin()), logQ), own, q.variable()));
    SemiImplicitBlock block = model.semiImplicitOf(q.variable());
    if (block == null) return out;
    // A latent of a semi-implicit block: its KL part is -log q(z | psi_0) as above; once the block's
    // last latent is drawn, the mixture's correction log q(z | psi_0) - log h_K(z) over the whole
    // block is added to the first latent's part, so that the block's KL parts sum to its log-ratio.
    Node logH = guideLogDensity(s, q, logQ);
    if (logH != null) {
      Set<String> deps = new LinkedHashSet<>();
      for (String l : block.latents()) deps.addAll(union(Set.of(l), closureOf(l)));
      out.add(s.klPart(g.apply(new Binary(Binary.Kind.SUB), ref(q.origin()), s.mixingOwnTotal, logH), deps, block.latents().get(0)));
    }
    return out;
  }

  /**
   * The guide's log-density term for latent {@code q} drawn in {@code s} with log q = {@code logQ}:
   * logQ itself, or for a latent of a semi-implicit block null until the block's last latent is
   * drawn, then the block's log h_K ({@link SemiImplicit#logMixture}): the K + 1 mixture of the
   * block's joint conditional at the draws, psi_0's (the logQs) and K re-evaluations of the block
   * with fresh noise, the data and the drawn latents held.
   */
  private Node guideLogDensity(Scope s, Site q, Node logQ) {
    SemiImplicitBlock block = model.semiImplicitOf(q.variable());
    if (block == null) return logQ;
    s.mixingOwn.put(q.variable(), logQ);
    for (String l : block.latents()) if (!s.mixingOwn.containsKey(l)) return null;
    Node own = null;
    for (String l : block.latents()) own = sum(own, s.mixingOwn.remove(l));
    s.mixingOwnTotal = own;
    List<Node> others = new ArrayList<>();
    for (int k = 1; k <= block.k(); k++) {
      Map<IrExpr, Node> held = new IdentityHashMap<>();
      for (var e : s.memo.entrySet()) if (!IrExpr.readsNoise(e.getKey())) held.put(e.getKey(), e.getValue());
      Scope again = new Scope(held, new LinkedHashMap<>(s.latents), new LinkedHashMap<>(), s.frozen, s.branch, new LinkedHashMap<>(), s.rows);
      Node ell = null;
      for (String l : block.latents()) {
        Site ql = model.guideOf(l);
        ell = sum(ell, ql.family().logProb(g, ref(ql.origin()), s.latents.get(l), args(ql, again)));
      }
      others.add(ell);
    }
    return SemiImplicit.logMixture(g, ref(q.origin()), own, others);
  }

  /** One latent's step: what its estimator sees ({@link LatentStep}), in one scope. */
  private final class Step implements LatentStep {
    private final int index;
    private final LatentPlan lp;
    private final Scope scope;
    /** The scope as it was before the latent was bound: where control-variate evaluations start. */
    private final Scope before;
    /** The KL parts lowered in this scope before this latent: the start of the row's log-weight. */
    private final List<Node> earlier = new ArrayList<>();

    Step(int index, LatentPlan lp, Scope scope) {
      this.index = index;
      this.lp = lp;
      this.scope = scope;
      this.before = lp.estimator().needsSinglePass() ? scope.child() : null;
      for (List<Node> parts : scope.klParts.values()) earlier.addAll(parts);
      if (purpose == Purpose.TRAIN && !scope.frozen && lp.estimator().needsSinglePass()) {
        // The companion graph re-reads the latents drawn before this one.
        for (var e : scope.latents.entrySet()) exports.put(upstreamKey(e.getKey()), new Graph.Link(e.getValue(), false));
      }
    }

    @Override public Graph graph() { return g; }
    @Override public LatentSite latent() { return lp.site(); }
    @Override public Settings settings() { return lp.settings(); }
    @Override public KlMode klMode() { return lp.kl(); }
    @Override public SourceRef guideOrigin() { return ref(lp.guide().origin()); }
    @Override public SourceRef priorOrigin() { return ref(lp.prior().origin()); }
    @Override public Map<String, Node> guideArgs() { return lift.at(scope.rows, () -> args(lp.guide(), scope)); }
    @Override public boolean valuesOnly() { return purpose == Purpose.EVALUATE || scope.frozen; }
    @Override public boolean frozen() { return scope.frozen; }
    @Override public void bind(Node value) { scope.latents.put(lp.latent().name(), value); }

    @Override
    public List<Term> densityTerms(Node value, Node logQ, DistributionFamily prior, UnaryOperator<Map<String, Node>> priorArgs) {
      return lift.at(scope.rows, () -> GraphLowering.this.densityTerms(scope, lp.guide(), lp.prior(), value, logQ, prior, priorArgs));
    }

    @Override
    public List<Term> klTerm(KlRule rule, Map<String, Node> guideArgs) {
      Site p = lp.prior();
      return lift.at(scope.rows, () -> priorTerm(scope, p,
          (pArgs, up) -> g.apply(new Affine(-1, 0), ref(p.origin()), rule.lower(g, ref(p.origin()), liftAll(guideArgs, up), pArgs)),
          depsOfArgs(lp.guide())));
    }

    @Override public Part rest() { return GraphLowering.this.rest(index + 1, scope); }

    @Override public int samples() { return plan.objective().samples(); }

    /** The terms lowered before this latent are KL parts (likelihoods come last), all registered in the scope. */
    @Override
    public Node logWeight(List<Term> terms) {
      if (scope.branch) {
        throw new Refusal(lp.guide().span(), lp.estimator().keyword() + " for '" + lp.latent().name() + "' needs each row's whole"
            + " log-weight, but it is lowered once per value of an enumerated latent", "draw the enumerated latent with an estimator that samples it");
      }
      Node out = null;
      for (Node n : earlier) out = sum(out, n);
      for (Term t : terms) out = sum(out, t.node());
      return out;
    }

    /**
     * The learning signal under the objective's KL weights: likelihood terms as they are, each
     * latent's KL parts times beta(step), and gated by the free-bits indicator of that latent's
     * batch-mean KL (a floored KL is constant, so it is no part of the signal). With no weights,
     * exactly the plain sum.
     */
    @Override
    public Node signal(List<Term> terms) {
      KlWeight w = plan.objective().objective().klWeight(plan.objective().settings());
      if (w == null) return LatentStep.super.signal(terms);
      String z = lp.latent().name();
      if (w.freeBits() > 0 && scope.branch) {
        throw new Refusal(lp.guide().span(), "free bits cannot weight the learning signal of '" + z
            + "': it is lowered once per value of an enumerated latent, where no latent's KL per example is known",
            "use beta or a warm-up schedule instead of free_bits, or reparameterize or enumerate '" + z + "'");
      }
      Map<String, Node> totals = null;
      Node out = null;
      for (Term t : terms) {
        if (!t.deps().contains(z)) continue;
        if (t.likelihood()) {
          out = sum(out, t.node());
          continue;
        }
        for (var e : t.klParts().entrySet()) {
          Node part = e.getValue();
          if (w.freeBits() > 0) {
            if (totals == null) totals = scopeKl(terms);
            part = g.apply(new FreeBitsGate(w.freeBits()), SourceRef.NONE, part, totals.get(e.getKey()));
          }
          Schedule beta = purpose == Purpose.TRAIN ? w.beta() : Schedule.fixed(w.beta().last());
          if (!beta.isFixed()) part = g.apply(new ScheduledScale(beta), SourceRef.NONE, part);
          else if (beta.initial() != 1.0) part = g.apply(new Affine(beta.initial(), 0), SourceRef.NONE, part);
          out = sum(out, part);
        }
      }
      return out;
    }

    /**
     * Each latent's KL per row as far as this (unbranched) scope knows it: its parts registered
     * here, and its shares of enumerated terms among {@code terms}. Every part of a latent whose
     * part depends on this latent is lowered by now: those before it are in the scope, those after
     * it among the terms of the rest.
     */
    private Map<String, Node> scopeKl(List<Term> terms) {
      Map<String, Node> negative = new LinkedHashMap<>();
      for (var e : scope.klParts.entrySet()) for (Node n : e.getValue()) negative.merge(e.getKey(), n, GraphLowering.this::sum);
      for (Term t : terms) if (t.mixed() != null) for (var e : t.klParts().entrySet()) negative.merge(e.getKey(), e.getValue(), GraphLowering.this::sum);
      Map<String, Node> out = new LinkedHashMap<>();
      for (var e : negative.entrySet()) out.put(e.getKey(), g.apply(new Affine(-1, 0), SourceRef.NONE, e.getValue()));
      return out;
    }
    @Override public LatentStep branch() { return new Step(index, lp, scope.child()); }

    @Override
    public boolean canStack() {
      if (!stackBranches) return false;
      for (int j = index + 1; j < plan.latents().size(); j++) if (!plan.latents().get(j).estimator().stacksWithBranches()) return false;
      return true;
    }

    @Override
    public Node enumeratedValues(List<double[]> values) {
      return lift.at(scope.rows, () -> g.apply(new EnumeratedValues(values), guideOrigin(), GraphLowering.this.constant(0, 1)));
    }

    @Override public LatentStep stacked(int copies) { return new Step(index, lp, scope.stacked(copies)); }

    @Override public <T> T within(java.util.function.Supplier<T> body) { return lift.at(scope.rows, body); }

    @Override
    public LatentStep frozenBefore() {
      if (before == null) throw new IllegalStateException(lp.estimator() + " did not declare needsSinglePass");
      return new Step(index, lp, before.frozenChild());
    }

    @Override
    public Node dataInput() {
      List<Node> xs = new ArrayList<>();
      for (Variable x : model.data()) xs.add(lift.to(data(x.name()), scope.rows));
      return xs.size() == 1 ? xs.get(0) : g.apply(new Concat(), SourceRef.NONE, xs.toArray(new Node[0]));
    }

    @Override public Node param(String name, long... shape) { return g.param(paramName(name), shape); }
    @Override public String paramName(String name) { return lp.latent().name() + "." + name; }
    @Override public Node constant(double value, int width) { return GraphLowering.this.constant(value, width); }
    @Override public Node scheduled(Schedule schedule, int width) { return g.scheduledConstant(schedule, width); }
    @Override
    public void exportLink(String key, Node node, boolean gradient) {
      exports.put(lp.latent().name() + "." + key, new Graph.Link(node, gradient));
    }

    @Override
    public Node importLink(String key, int width) {
      Node n = imported(lp.latent().name() + "." + key, lp.latent().name() + "." + key);
      if (n.width() != width) throw new IllegalStateException(key + " is " + n.width() + " wide, not " + width);
      return n;
    }
  }

  private static String upstreamKey(String latent) { return "latent." + latent; }

  /** The graph's reference to a place in the model file. */
  private static SourceRef ref(vaec.compiler.ir.Origin o) { return new SourceRef(o.file(), o.line(), o.column(), o.text()); }

  // ---------------------------------------------------------------- companion graph

  /**
   * The companion graph: the sum of the estimators' companion losses (REBAR's and RELAX's
   * variance objective), each evaluated in a frozen scope where the latents drawn before it are
   * the training graph's draws, read through links. Returns false when no estimator has one.
   */
  private boolean companion() {
    int last = -1;
    for (int i = 0; i < plan.latents().size(); i++) if (plan.latents().get(i).estimator().needsSinglePass()) last = i;
    if (last < 0) return false;
    Scope root = rootScope().frozenChild();
    Node total = null;
    for (int i = 0; i <= last; i++) {
      LatentPlan lp = plan.latents().get(i);
      if (lp.estimator().needsSinglePass()) {
        Node loss = lp.estimator().companionLoss(new Step(i, lp, root.frozenChild()));
        total = sum(total, loss);
      }
      if (i == last) break;
      // Later companions see this latent as the training graph drew it, and its prior term waits as there.
      Site q = lp.guide();
      Node drawn = imported(upstreamKey(q.variable()), upstreamKey(q.variable()));
      root.latents.put(q.variable(), drawn);
      Site p = lp.prior();
      priorTerm(root, p, (pArgs, up) -> p.family().logProb(g, ref(p.origin()), up.apply(drawn), pArgs), union(Set.of(q.variable()), closureOf(q.variable())));
    }
    if (total == null) return false;
    g.setLoss(g.apply(new Affine(2, 0), SourceRef.NONE, total));
    return true;
  }

  // ---------------------------------------------------------------- other purposes

  /** log p(x, z) - log q(z | x) for one draw of every latent (pathwise or not: no gradient needed). */
  private void logWeight() {
    Scope s = rootScope();
    Node logW = null;
    for (LatentPlan lp : plan.latents()) {
      Site q = lp.guide();
      Map<String, Node> qArgs = args(q, s);
      // a family that scores only its own draws (a flow) gives log q along the draw
      vaec.stdlib.distributions.Draw drawn = q.family().scoresAnyValue() ? null
          : q.family().rsampleWithLogProb(g, ref(q.origin()), qArgs, a -> a, q.width(), q.variable());
      Node z = drawn != null ? drawn.value() : q.family().hasPathwiseSampler() ? q.family().rsample(g, ref(q.origin()), qArgs, q.width(), q.variable())
          : q.family().sample(g, ref(q.origin()), qArgs, q.width(), q.variable());
      s.latents.put(q.variable(), z);
      Site p = lp.prior();
      for (Term t : priorTerm(s, p, (pArgs, up) -> p.family().logProb(g, ref(p.origin()), up.apply(z), pArgs), Set.of())) logW = sum(logW, t.node());
      Node logQ = guideLogDensity(s, q, drawn != null ? drawn.logProb() : q.family().logProb(g, ref(q.origin()), z, qArgs));
      if (logQ == null) continue;   // a semi-implicit block's log h_K comes with its last latent
      logW = logW == null ? g.apply(new Affine(-1, 0), ref(q.origin()), logQ) : g.apply(new Binary(Binary.Kind.SUB), ref(q.origin()), logW, logQ);
    }
    for (Term t : readyPriors(s)) logW = sum(logW, t.node());
    for (Site x : model.likelihood()) {
      logW = sum(logW, x.family().logProb(g, ref(x.origin()), data(x.variable()), args(x, s)));
    }
    g.output("log_weight", logW);
  }

  /**
   * Ancestral sampling: every prior and likelihood site in an order where each comes after the
   * latents and scored data it reads; latents are drawn, each likelihood outputs its mean, and a
   * scored variable that another site reads (a prior conditioned on a label) is drawn for it.
   * Conditioning inputs (data that is read but not scored) are the graph's inputs.
   */
  private void priorSample() {
    Scope s = Scope.empty();
    Set<String> scored = new LinkedHashSet<>();
    for (Site x : model.likelihood()) scored.add(x.variable());
    for (Variable x : model.data()) {
      if (!scored.contains(x.name()) || readsItself(x.name())) dataNodes.put(x.name(), g.input(x.name(), x.width()));
    }
    for (Site next : plan.generativeOrder()) {
      Map<String, Node> a = args(next, s);
      if (next.role() == Site.Role.PRIOR) {
        s.latents.put(next.variable(), next.family().sample(g, ref(next.origin()), a, next.width(), next.variable()));
      } else {
        g.output("mean_" + next.variable(), next.family().mean(g, ref(next.origin()), a));
        String x = next.variable();
        boolean readLater = plan.generativeOrder().stream().anyMatch(o -> o != next && o.dataRead().contains(x));
        if (readLater) s.latents.put(GENERATED + x, next.family().sample(g, ref(next.origin()), a, next.width(), x));
      }
    }
  }

  /**
   * Whether the likelihood of data {@code x} reads x itself: an autoregressive likelihood (a
   * teacher-forced decoder of a token sequence), whose position t depends on the positions before
   * it only. Sampling and decoding graphs then take x as an input, and the caller fills it one
   * position at a time from the likelihood's mean.
   */
  private boolean readsItself(String x) {
    return model.likelihood().stream().anyMatch(l -> l.variable().equals(x) && l.dataRead().contains(x));
  }

  /** Scope key of a scored data variable's generated value in the prior-sampling graph (not a valid name). */
  private static final String GENERATED = "data ";

  /**
   * The likelihoods' means at given values of the latents: every latent and conditioning input is
   * an input of the graph (named as in the model), as for walks in latent space; a scored variable
   * that another likelihood reads is drawn for it, as in ancestral sampling.
   */
  private void decode() {
    Scope s = Scope.empty();
    Set<String> scored = new LinkedHashSet<>();
    for (Site x : model.likelihood()) scored.add(x.variable());
    for (Variable x : model.data()) {
      if (!scored.contains(x.name()) || readsItself(x.name())) dataNodes.put(x.name(), g.input(x.name(), x.width()));
    }
    for (Variable z : model.latents()) s.latents.put(z.name(), g.input(z.name(), z.width()));
    for (Site next : plan.generativeOrder()) {
      if (next.role() != Site.Role.LIKELIHOOD) continue;
      Map<String, Node> a = args(next, s);
      String x = next.variable();
      g.output("mean_" + x, next.family().mean(g, ref(next.origin()), a));
      if (plan.generativeOrder().stream().anyMatch(o -> o != next && o.dataRead().contains(x))) {
        s.latents.put(GENERATED + x, next.family().sample(g, ref(next.origin()), a, next.width(), x));
      }
    }
  }

  private void reconstruct() {
    Scope s = rootScope();
    for (LatentPlan lp : plan.latents()) {
      Site q = lp.guide();
      Node mean = q.family().mean(g, ref(q.origin()), args(q, s));
      s.latents.put(q.variable(), mean);
      g.output("latent_mean_" + q.variable(), mean);
    }
    likelihoodMeans(s);
  }

  private void likelihoodMeans(Scope s) {
    for (Site x : model.likelihood()) {
      g.output("mean_" + x.variable(), x.family().mean(g, ref(x.origin()), args(x, s)));
    }
  }

  // ---------------------------------------------------------------- dependencies

  /** The latents whose draws a latent's value depends on, itself excluded. */
  private Set<String> closureOf(String latent) {
    Set<String> done = closure.get(latent);
    if (done != null) return done;
    Set<String> out = new LinkedHashSet<>();
    closure.put(latent, out);   // guards against cycles; guide order makes them impossible
    for (Site q : model.guide()) {
      if (!q.variable().equals(latent)) continue;
      for (String d : q.dependsOn()) {
        out.add(d);
        out.addAll(closureOf(d));
      }
    }
    return out;
  }

  private Set<String> depsOfArgs(Site s) {
    Set<String> out = new LinkedHashSet<>();
    for (String d : s.dependsOn()) {
      out.add(d);
      out.addAll(closureOf(d));
    }
    return out;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> u = new LinkedHashSet<>(a);
    u.addAll(b);
    return u;
  }

  // ---------------------------------------------------------------- expressions

  private Node sum(Node acc, Node term) {
    if (term == null) return acc;
    return acc == null ? term : g.apply(new Binary(Binary.Kind.ADD), term.origin(), acc, term);
  }

  /** A site's arguments as nodes of the site's width: scalar constants are broadcast. */
  private Map<String, Node> args(Site site, Scope s) {
    Map<String, Node> out = new LinkedHashMap<>();
    for (var e : site.args().entrySet()) {
      IrExpr v = e.getValue();
      out.put(e.getKey(), v instanceof IrExpr.Const c ? constant(c.value(), site.family().parameterWidth(e.getKey(), site.width())) : node(v, s));
    }
    return out;
  }

  /** The name prefix of the noise nodes of noise(m), numbered in the order they are lowered. */
  public static final String MIXING_NOISE = "mixing_noise_";
  private int mixingDraws;

  private Node constant(double v, int width) {
    return constants.computeIfAbsent(v + "@" + width, k -> g.constant(v, width));
  }

  private Node node(IrExpr e, Scope s) {
    Node done = s.memo.get(e);
    if (done != null) {
      if (done.broadcast() || done.rows() == s.rows) return done;
      Node lifted = lift.to(done, s.rows);   // lowered before a stacked branch: read as copies
      s.memo.put(e, lifted);
      return lifted;
    }
    Node n;
    SourceRef o = ref(e.origin());
    if (e instanceof IrExpr.Data d) {
      n = lift.to(s.latents.containsKey(GENERATED + d.name()) ? s.latents.get(GENERATED + d.name()) : dataNodes.get(d.name()), s.rows);
    } else if (e instanceof IrExpr.Latent l) n = lift.to(s.latents.get(l.name()), s.rows);
    else if (e instanceof IrExpr.Fn f) n = g.apply(new Unary(catalog.function(f.fn()).orElseThrow()), o, node(f.arg(), s));
    else if (e instanceof IrExpr.NetCall c) n = c.network().apply(g, o, node(c.input(), s), s.frozen, purpose == Purpose.TRAIN);
    else if (e instanceof IrExpr.Slice sl) n = g.apply(new Slice(sl.from(), sl.to()), o, node(sl.target(), s));
    else if (e instanceof IrExpr.Concat c) {
      List<Node> parts = new ArrayList<>();
      for (IrExpr p : c.parts()) parts.add(node(p, s));
      n = g.apply(new Concat(), o, parts.toArray(new Node[0]));
    } else if (e instanceof IrExpr.Arith a) n = arith(a, s);
    else if (e instanceof IrExpr.Noise nz) n = lift.to(g.noise(MIXING_NOISE + (mixingDraws++), vaec.runtime.graph.NoiseKind.STANDARD_NORMAL, nz.width()), s.rows);
    else throw new IllegalStateException("constant outside an argument: " + e);
    if (n == null) throw new IllegalStateException("unbound value in " + e);
    s.memo.put(e, n);
    return n;
  }

  private Node arith(IrExpr.Arith a, Scope s) { return arith(g, ref(a.origin()), a, e -> node(e, s)); }

  /**
   * a op b lowered into {@code g}, each operand by {@code operand}: scalar arithmetic folds into
   * one affine op; value-with-value arithmetic is element-wise. Shared with the REPL's probes.
   */
  public static Node arith(Graph g, SourceRef o, IrExpr.Arith a, java.util.function.Function<IrExpr, Node> operand) {
    if (a.left() instanceof IrExpr.Const c) {
      double k = c.value();
      Node x = operand.apply(a.right());
      return switch (a.op()) {
        case '+' -> g.apply(new Affine(1, k), o, x);
        case '-' -> g.apply(new Affine(-1, k), o, x);
        case '*' -> g.apply(new Affine(k, 0), o, x);
        default -> g.apply(new Reciprocal(k), o, x);
      };
    }
    if (a.right() instanceof IrExpr.Const c) {
      double k = c.value();
      Node x = operand.apply(a.left());
      return switch (a.op()) {
        case '+' -> g.apply(new Affine(1, k), o, x);
        case '-' -> g.apply(new Affine(1, -k), o, x);
        case '*' -> g.apply(new Affine(k, 0), o, x);
        default -> g.apply(new Affine(1 / k, 0), o, x);
      };
    }
    Binary.Kind kind = switch (a.op()) {
      case '+' -> Binary.Kind.ADD;
      case '-' -> Binary.Kind.SUB;
      case '*' -> Binary.Kind.MUL;
      default -> Binary.Kind.DIV;
    };
    return g.apply(new Binary(kind), o, operand.apply(a.left()), operand.apply(a.right()));
  }
}
