package vaec.compiler.lower;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import vaec.compiler.ir.IrExpr;
import vaec.compiler.ir.ProbModel;
import vaec.compiler.ir.Site;
import vaec.compiler.ir.Variable;
import vaec.compiler.plan.EstimatorPlan;
import vaec.compiler.plan.LatentPlan;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.model.ParamInit;
import vaec.runtime.kernels.Activation;
import vaec.runtime.ops.Affine;
import vaec.runtime.ops.Binary;
import vaec.runtime.ops.Concat;
import vaec.runtime.ops.ConditionalLogistic;
import vaec.runtime.ops.DirectionalProbe;
import vaec.runtime.ops.Heaviside;
import vaec.runtime.ops.LogisticRsample;
import vaec.runtime.ops.ProbeScale;
import vaec.runtime.ops.ScaleByParam;
import vaec.runtime.ops.TemperedSigmoid;
import vaec.runtime.ops.Reciprocal;
import vaec.runtime.ops.RunningBaseline;
import vaec.runtime.ops.Slice;
import vaec.runtime.ops.StopGradient;
import vaec.runtime.ops.Unary;
import vaec.stdlib.Catalog;
import vaec.stdlib.distributions.GroupedFamily;
import vaec.stdlib.estimators.Baseline;
import vaec.stdlib.networks.LayerSpec;
import vaec.stdlib.networks.NetworkSpec;

/**
 * Pass 5: the IR and the plan to computation graphs, one per purpose (see
 * {@link vaec.runtime.model.CompiledModel}).
 *
 * <p>The training objective is assembled from small pieces, Pyro-style. Every latent, in guide
 * order, contributes according to its planned estimator:
 * <ul>
 *   <li>reparameterized: a pathwise draw, and either the closed-form KL or log p(z) - log q(z);</li>
 *   <li>score function: a draw without gradient, its Monte Carlo terms, and a surrogate term
 *       -stop(c - b) log q(z), where c sums only the ELBO terms that depend on z
 *       (Rao-Blackwellization by dependency) and b is the planned baseline;</li>
 *   <li>enumeration: the rest of the objective is lowered once per value of z and summed,
 *       weighted by q(value), which is exact and differentiable in q's parameters.</li>
 * </ul>
 * The reported loss is the negative ELBO; the loss that is differentiated adds the surrogate
 * terms, whose value is not part of the ELBO.
 */
public final class GraphLowering {
  /** What a graph is for. */
  public enum Purpose { TRAIN, EVALUATE, LOG_WEIGHT, PRIOR_SAMPLE, RECONSTRUCT, CONTROL_VARIATES }

  /** Hidden width of NVIL's baseline network. */
  static final int NVIL_HIDDEN = 100;
  /** Decay of the running-average baseline. */
  static final double BASELINE_DECAY = 0.99;
  /**
   * RMS step, in logits, of the central difference that the variance objective of REBAR and RELAX
   * takes along the estimator's own gradient (see {@link #controlVariates}). Small enough that the
   * O(delta^2) truncation is negligible next to Monte Carlo noise, large enough that float32
   * rounding of the relaxed objective (hundreds of nats) stays far below the difference.
   */
  static final double PROBE_DELTA = 1e-2;

  private final ProbModel model;
  private final EstimatorPlan plan;
  private final Catalog catalog;
  private final Graph g = new Graph();
  private final Map<String, Node> constants = new HashMap<>();
  private final Map<String, Set<String>> closure = new HashMap<>();
  /** True for the evaluation graph: relaxed latents are drawn discretely, as the model states them. */
  private boolean evaluation;

  /**
   * Values bound so far: lowered expressions and latents. Enumeration branches get a child. A
   * frozen scope evaluates the model for a control variate: networks called in it give their
   * parameters no gradient, and only the ELBO's terms are lowered (no surrogates, no baselines).
   */
  private static final class Scope {
    final Map<IrExpr, Node> memo;
    final Map<String, Node> latents;
    final boolean frozen;

    Scope(Map<IrExpr, Node> memo, Map<String, Node> latents, boolean frozen) {
      this.memo = memo;
      this.latents = latents;
      this.frozen = frozen;
    }

    Scope child() {
      return new Scope(new IdentityHashMap<>(memo), new LinkedHashMap<>(latents), frozen);
    }

    Scope frozenChild() {
      return new Scope(new IdentityHashMap<>(memo), new LinkedHashMap<>(latents), true);
    }
  }

  /** One additive piece of the ELBO, the latents it depends on, and whether it is a likelihood. */
  private record Term(Node node, Set<String> deps, boolean likelihood) {}

  /** What lowering the rest of the model gives: ELBO terms and a surrogate to add to the loss. */
  private record Part(List<Term> terms, Node surrogate) {}

  private GraphLowering(ProbModel model, EstimatorPlan plan, Catalog catalog) {
    this.model = model;
    this.plan = plan;
    this.catalog = catalog;
    for (Site q : model.guide()) closureOf(q.variable());
  }

  public static Graph lower(ProbModel model, EstimatorPlan plan, Catalog catalog, Purpose purpose) {
    GraphLowering l = new GraphLowering(model, plan, catalog);
    switch (purpose) {
      case TRAIN -> l.train();
      case EVALUATE -> {
        l.evaluation = true;
        l.train();
      }
      case LOG_WEIGHT -> l.logWeight();
      case PRIOR_SAMPLE -> l.priorSample();
      case RECONSTRUCT -> l.reconstruct();
      case CONTROL_VARIATES -> {
        if (!l.controlVariates()) return null;
      }
    }
    return l.g;
  }

  /** Parameters the estimators add: baseline state and NVIL networks, with their initialization. */
  public static List<ParamInit> estimatorParams(ProbModel model, EstimatorPlan plan) {
    List<ParamInit> ps = new ArrayList<>();
    for (LatentPlan lp : plan.latents()) {
      if (lp.estimator().learnsControlVariate()) {
        ps.add(ParamInit.constant(logTemperatureName(lp), Math.log(lp.temperature().initial()), 1, 1));
        ps.add(ParamInit.constant(etaName(lp), LatentPlan.INITIAL_ETA, 1, 1));
        if (lp.estimator() == vaec.stdlib.estimators.Estimator.RELAX) ps.addAll(surrogateNetwork(lp).params());
      }
      if (lp.estimator() != vaec.stdlib.estimators.Estimator.SCORE_FUNCTION) continue;
      if (lp.baseline() == Baseline.AVERAGE || lp.baseline() == Baseline.NVIL) ps.add(ParamInit.constant(baselineState(lp), 0, 2));
      if (lp.baseline() == Baseline.NVIL) ps.addAll(nvilNetwork(model, lp).params());
    }
    return ps;
  }

  static String baselineState(LatentPlan lp) { return lp.latent().name() + ".baseline"; }

  /** REBAR's and RELAX's learned log temperature, log lambda (1 x 1). */
  public static String logTemperatureName(LatentPlan lp) { return lp.latent().name() + ".rebar.log_temperature"; }

  /** REBAR's and RELAX's learned control-variate scale eta (1 x 1). */
  public static String etaName(LatentPlan lp) { return lp.latent().name() + ".rebar.eta"; }

  /** RELAX's surrogate r(sigmoid(z / lambda)): one tanh hidden layer, one output per example. */
  static NetworkSpec surrogateNetwork(LatentPlan lp) {
    int w = lp.latent().width();
    return new NetworkSpec(lp.latent().name() + ".relax", "MLP",
        List.of(new LayerSpec(w, lp.surrogateHidden(), Activation.TANH), new LayerSpec(lp.surrogateHidden(), 1, Activation.IDENTITY)));
  }

  static NetworkSpec nvilNetwork(ProbModel model, LatentPlan lp) {
    int in = model.data().stream().mapToInt(Variable::width).sum();
    return new NetworkSpec(lp.latent().name() + ".nvil", "MLP",
        List.of(new LayerSpec(in, NVIL_HIDDEN, Activation.TANH), new LayerSpec(NVIL_HIDDEN, 1, Activation.IDENTITY)));
  }

  // ---------------------------------------------------------------- training objective

  private void train() {
    Scope root = rootScope();
    Part part = rest(0, root);
    Node elbo = null;
    Node logLik = null;
    for (Term t : part.terms()) {
      elbo = sum(elbo, t.node());
      if (t.likelihood()) logLik = sum(logLik, t.node());
    }
    Node loss = g.apply(new Affine(-1, 0), SourceRef.NONE, elbo);
    Node recon = g.apply(new Affine(-1, 0), SourceRef.NONE, logLik);
    g.output("loss", loss);
    g.output("reconstruction", recon);
    g.output("kl", g.apply(new Binary(Binary.Kind.SUB), SourceRef.NONE, loss, recon));
    g.setLoss(part.surrogate() == null ? loss : g.apply(new Binary(Binary.Kind.ADD), SourceRef.NONE, loss, part.surrogate()));
  }

  private Scope rootScope() {
    for (Variable x : model.data()) g.input(x.name(), x.width());
    return new Scope(new IdentityHashMap<>(), new LinkedHashMap<>(), false);
  }

  /** The ELBO terms of latents i.. and the likelihood, given the latents bound in {@code s}. */
  private Part rest(int i, Scope s) {
    if (i == plan.latents().size()) {
      List<Term> terms = new ArrayList<>();
      for (Site x : model.likelihood()) {
        terms.add(new Term(x.family().logProb(g, x.origin(), g.inputs().get(x.variable()), args(x, s)), depsOfArgs(x), true));
      }
      return new Part(terms, null);
    }
    LatentPlan lp = plan.latents().get(i);
    return switch (lp.estimator()) {
      case REPARAMETERIZED -> reparameterized(i, lp, s);
      case SCORE_FUNCTION -> scoreFunction(i, lp, s);
      case ENUMERATION -> enumeration(i, lp, s);
      case CONCRETE, STRAIGHT_THROUGH -> evaluation ? scoreFunction(i, lp, s) : relaxed(i, lp, s);
      case STICKING_THE_LANDING -> reparameterized(i, lp, s);
      case REBAR, RELAX -> evaluation || s.frozen ? scoreFunction(i, lp, s) : rebar(i, lp, s);
    };
  }

  /**
   * Concrete: the latent is its relaxation, scored with the relaxed densities of guide and prior
   * (000 section 5.3.1 insists on both). Straight-through: the model sees the hardened draw, the
   * relaxed draw carries the gradient, and the discrete densities score the hard value.
   */
  private Part relaxed(int i, LatentPlan lp, Scope s) {
    Site q = lp.guide();
    Site p = lp.prior();
    String z = q.variable();
    var relaxedName = vaec.stdlib.estimators.Estimator.relaxationOf(q.family());
    var relaxedQ = GroupedFamily.like(q.family(), catalog.distribution(relaxedName).orElseThrow());
    var relaxedP = GroupedFamily.like(p.family(), catalog.distribution(vaec.stdlib.estimators.Estimator.relaxationOf(p.family()) == null
        ? relaxedName : vaec.stdlib.estimators.Estimator.relaxationOf(p.family())).orElseThrow());
    Map<String, Node> qArgs = args(q, s);
    Map<String, Node> pArgs = args(p, s);
    Node temperature = lp.temperature().isFixed() ? constant(lp.temperature().initial(), q.width())
        : g.scheduledConstant(lp.temperature(), q.width());
    Map<String, Node> qRel = relaxedArgs(qArgs, temperature, q);
    Node soft = relaxedQ.rsample(g, q.origin(), qRel, q.width(), z);
    List<Term> terms = new ArrayList<>();
    Node value;
    if (lp.estimator() == vaec.stdlib.estimators.Estimator.CONCRETE) {
      value = soft;
      Node logQ = relaxedQ.logProb(g, q.origin(), soft, qRel);
      terms.addAll(sampleTerms(q, p, soft, logQ, pArgs, relaxedP, relaxedArgs(pArgs, temperature, p)));
    } else {
      var kind = relaxedName.equals("Concrete") ? vaec.runtime.ops.Harden.Kind.ONE_HOT : vaec.runtime.ops.Harden.Kind.BINARY;
      Node hard = q.family() instanceof GroupedFamily gf
          ? gf.perGroup(g, q.origin(), soft, x -> g.apply(new vaec.runtime.ops.Harden(kind), q.origin(), x))
          : g.apply(new vaec.runtime.ops.Harden(kind), q.origin(), soft);
      value = g.apply(new vaec.runtime.ops.StraightThrough(), q.origin(), hard, soft);
      Node logQ = q.family().logProb(g, q.origin(), value, qArgs);
      terms.addAll(sampleTerms(q, p, value, logQ, pArgs, p.family(), pArgs));
    }
    s.latents.put(z, value);
    return thenRest(i, s, terms);
  }

  /** A discrete family's arguments for its relaxation: the logits and the temperature. */
  private static Map<String, Node> relaxedArgs(Map<String, Node> args, Node temperature, Site site) {
    Node logits = args.get("logits");
    if (logits == null) {
      throw new IllegalArgumentException(site.family().name() + " at " + site.origin()
          + " must be given by logits for its relaxation, not probs");
    }
    Map<String, Node> out = new LinkedHashMap<>();
    out.put("logits", logits);
    out.put("temperature", temperature);
    return out;
  }

  /**
   * A pathwise draw. Sticking the landing (Roeder et al.; 000 ch. 6) evaluates log q(z) with the
   * guide's arguments held constant, dropping the score term whose expectation is zero.
   */
  private Part reparameterized(int i, LatentPlan lp, Scope s) {
    Site q = lp.guide();
    Site p = lp.prior();
    Map<String, Node> qArgs = args(q, s);
    Node value = q.family().rsample(g, q.origin(), qArgs, q.width(), q.variable());
    s.latents.put(q.variable(), value);
    List<Term> terms = new ArrayList<>();
    Map<String, Node> pArgs = args(p, s);
    if (lp.analyticKl()) {
      Node kl = catalog.kl(q.family(), p.family()).orElseThrow().lower(g, p.origin(), qArgs, pArgs);
      terms.add(new Term(g.apply(new Affine(-1, 0), p.origin(), kl), union(depsOfArgs(q), depsOfArgs(p)), false));
    } else {
      Map<String, Node> densityArgs = qArgs;
      if (lp.estimator() == vaec.stdlib.estimators.Estimator.STICKING_THE_LANDING) {
        densityArgs = new LinkedHashMap<>();
        for (var e : qArgs.entrySet()) densityArgs.put(e.getKey(), g.apply(new StopGradient(), q.origin(), e.getValue()));
      }
      terms.addAll(sampleTerms(q, p, value, q.family().logProb(g, q.origin(), value, densityArgs), pArgs));
    }
    return thenRest(i, s, terms);
  }

  /** The given terms followed by those of the latents after i and the likelihood. */
  private Part thenRest(int i, Scope s, List<Term> terms) {
    Part rest = rest(i + 1, s);
    terms.addAll(rest.terms());
    return new Part(terms, rest.surrogate());
  }

  private Part scoreFunction(int i, LatentPlan lp, Scope s) {
    Site q = lp.guide();
    Site p = lp.prior();
    String z = q.variable();
    Map<String, Node> qArgs = args(q, s);
    Node value = q.family().sample(g, q.origin(), qArgs, q.width(), z);
    s.latents.put(z, value);
    Node logQ = q.family().logProb(g, q.origin(), value, qArgs);
    List<Term> terms = new ArrayList<>(sampleTerms(q, p, value, logQ, args(p, s)));
    Part rest = rest(i + 1, s);
    terms.addAll(rest.terms());
    if (evaluation || s.frozen) return new Part(terms, rest.surrogate());   // only the ELBO's value is wanted

    // The learning signal: only the terms that depend on z (Rao-Blackwellization by dependency).
    Node signal = null;
    for (Term t : terms) if (t.deps().contains(z)) signal = sum(signal, t.node());
    signal = g.apply(new StopGradient(), q.origin(), signal);
    Node surrogate = rest.surrogate();
    Node advantage = signal;
    switch (lp.baseline()) {
      case NONE -> { }
      case AVERAGE -> {
        Node state = g.param(baselineState(lp), 2);
        Node b = g.apply(new RunningBaseline(BASELINE_DECAY), q.origin(), signal, state);
        advantage = g.apply(new Binary(Binary.Kind.SUB), q.origin(), signal, b);
      }
      case NVIL -> {
        // As in Mnih and Gregor (2014): the signal is first centred by its running average, and the
        // network predicts what is left from the input, so it helps from the first step on.
        Node state = g.param(baselineState(lp), 2);
        Node centred = g.apply(new Binary(Binary.Kind.SUB), q.origin(), signal,
            g.apply(new RunningBaseline(BASELINE_DECAY), q.origin(), signal, state));
        Node data = dataInput();
        Node b = nvilNetwork(model, lp).apply(g, q.origin(), data);
        advantage = g.apply(new Binary(Binary.Kind.SUB), q.origin(), centred, g.apply(new StopGradient(), q.origin(), b));
        // The baseline network learns to predict the centred signal: squared error, gradient to b only.
        Node err = g.apply(new Binary(Binary.Kind.SUB), q.origin(), centred, b);
        surrogate = sum(surrogate, g.apply(new Unary(Unary.Fn.SQUARE), q.origin(), err));
      }
    }
    Node scored = g.apply(new Binary(Binary.Kind.MUL), q.origin(), g.apply(new StopGradient(), q.origin(), advantage), logQ);
    surrogate = sum(surrogate, g.apply(new Affine(-1, 0), q.origin(), scored));
    return new Part(terms, surrogate);
  }

  /**
   * REBAR and RELAX (Tucker et al. 2017; Grathwohl et al. 2018; 000 section 5.3.2; 003). With
   * z = logits + logistic noise, b = H(z) is the Bernoulli draw and z~ ~ p(z | b) the conditional
   * relaxed draw. The estimator of the ELBO's gradient at the logits is
   * <pre>  [f(b) - c(z~)] d log q(b) + d c(z) - d c(z~)</pre>
   * with f the terms that depend on this latent, and c(z) = eta f(sigmoid(z / lambda)) (+ r(...)
   * for RELAX) the same terms evaluated at the relaxation. It is unbiased for any c, because z and
   * z~ have the same distribution. Here that is a surrogate loss: -stop(f - c(z~)) log q(b) - c(z)
   * + c(z~). Inside c the model's networks and the control variate's own parameters are frozen: the
   * decoder learns from f(b) alone, and lambda, eta and r learn only from the variance objective
   * ({@link #controlVariates}), which reads this pass's draws, noise and gradient through links.
   */
  private Part rebar(int i, LatentPlan lp, Scope s) {
    Site q = lp.guide();
    Site p = lp.prior();
    String z = q.variable();
    int w = q.width();
    Scope before = s.child();   // z unbound and nothing downstream lowered: where the relaxed evaluations start
    Map<String, Node> qArgs = args(q, s);
    Node logits = qArgs.get("logits");
    Node u = g.noise(z + ".u", vaec.runtime.graph.NoiseKind.UNIFORM, w);
    Node v = g.noise(z + ".v", vaec.runtime.graph.NoiseKind.UNIFORM, w);
    Node relaxed = g.apply(new LogisticRsample(), q.origin(), logits, u);
    Node b = g.apply(new Heaviside(), q.origin(), relaxed);
    s.latents.put(z, b);
    Node logQ = q.family().logProb(g, q.origin(), b, qArgs);
    List<Term> terms = new ArrayList<>(sampleTerms(q, p, b, logQ, args(p, s)));
    Part rest = rest(i + 1, s);
    terms.addAll(rest.terms());

    Node signal = null;
    for (Term t : terms) if (t.deps().contains(z)) signal = sum(signal, t.node());
    signal = stop(q, signal);
    Node conditional = g.apply(new ConditionalLogistic(), q.origin(), logits, b, v);
    Node cAtZ = control(i, lp, before, logits, relaxed, true);
    Node cAtConditional = control(i, lp, before, logits, conditional, true);
    Node advantage = g.apply(new Binary(Binary.Kind.SUB), q.origin(), signal, stop(q, cAtConditional));
    Node scored = g.apply(new Binary(Binary.Kind.MUL), q.origin(), stop(q, advantage), logQ);
    Node surrogate = sum(rest.surrogate(), g.apply(new Affine(-1, 0), q.origin(), scored));
    surrogate = sum(surrogate, g.apply(new Binary(Binary.Kind.SUB), q.origin(), cAtConditional, cAtZ));

    g.link(z + ".logits", logits, false);
    g.link(z + ".b", b, false);
    g.link(z + ".u", u, false);
    g.link(z + ".v", v, false);
    g.link(z + ".direction", logits, true);
    for (var e : before.latents.entrySet()) g.link("latent." + e.getKey(), e.getValue(), false);
    return new Part(terms, surrogate);
  }

  private Node stop(Site q, Node n) { return g.apply(new StopGradient(), q.origin(), n); }

  /**
   * c(zPre) = eta f(sigmoid(zPre / lambda)) (+ r(sigmoid(zPre / lambda)) for RELAX): the terms of
   * the ELBO that depend on the latent, evaluated in a frozen copy of {@code before} with the
   * latent bound to its relaxation and the guide's density taken at {@code logits}. With
   * {@code stopOwn}, lambda, eta and r are held constant too.
   */
  private Node control(int i, LatentPlan lp, Scope before, Node logits, Node zPre, boolean stopOwn) {
    Site q = lp.guide();
    Site p = lp.prior();
    String z = q.variable();
    Node logLambda = g.param(logTemperatureName(lp), 1, 1);
    Node eta = g.param(etaName(lp), 1, 1);
    if (stopOwn) {
      logLambda = stop(q, logLambda);
      eta = stop(q, eta);
    }
    Node relaxed = g.apply(new TemperedSigmoid(), q.origin(), zPre, logLambda);
    Scope branch = before.frozenChild();
    branch.latents.put(z, relaxed);
    Map<String, Node> qArgs = new LinkedHashMap<>();
    qArgs.put("logits", logits);
    Node logQ = q.family().logProb(g, q.origin(), relaxed, qArgs);
    List<Term> terms = new ArrayList<>(sampleTerms(q, p, relaxed, logQ, args(p, branch)));
    terms.addAll(rest(i + 1, branch).terms());
    Node f = null;
    for (Term t : terms) if (t.deps().contains(z)) f = sum(f, t.node());
    Node c = g.apply(new ScaleByParam(), q.origin(), f, eta);
    if (lp.estimator() == vaec.stdlib.estimators.Estimator.RELAX) {
      c = sum(c, surrogateNetwork(lp).apply(g, q.origin(), relaxed, stopOwn));
    }
    return c;
  }

  /**
   * The variance objective of every REBAR and RELAX latent, the loss of the control-variate graph.
   * Its gradient with respect to lambda, eta and r is the gradient of E|g|^2 for the estimator g
   * at the guide's logits (Grathwohl et al.: d Var(g) = d E[g^2], since E[g] does not depend on
   * the control variate; 000 section 5.3.2 minimizes the gradient at the guide's parameters too).
   * With v = g held fixed, 2 g . dg/dphi = d(g . v)/dphi, and g . v is the directional derivative
   * along v of G(theta) = c(z~(stop theta)) log q(b | theta) - c(z(theta)) + c(z~(theta)). Its first
   * part is (s . v) c(z~) exactly, s = b - sigmoid(theta); the rest is a central difference
   * along v with the draws b, u, v held fixed, which keeps everything first order: the executor
   * differentiates each evaluation of c by lambda, eta and r as usual.
   * Returns false when no latent learns a control variate.
   */
  private boolean controlVariates() {
    Scope root = rootScope();
    Map<String, Node> upstream = new LinkedHashMap<>();
    Node total = null;
    int last = -1;
    for (int i = 0; i < plan.latents().size(); i++) if (plan.latents().get(i).estimator().learnsControlVariate()) last = i;
    for (int i = 0; i < last; i++) {
      Site q = plan.latents().get(i).guide();
      upstream.put(q.variable(), g.input("latent." + q.variable(), q.width()));
    }
    for (int i = 0; i <= last; i++) {
      LatentPlan lp = plan.latents().get(i);
      Site q = lp.guide();
      if (lp.estimator().learnsControlVariate()) {
        String z = q.variable();
        int w = q.width();
        Scope s = root.frozenChild();
        for (int j = 0; j < i; j++) {
          String name = plan.latents().get(j).latent().name();
          s.latents.put(name, upstream.get(name));
        }
        Node theta = g.input(z + ".logits", w);
        Node b = g.input(z + ".b", w);
        Node u = g.input(z + ".u", w);
        Node v = g.input(z + ".v", w);
        Node direction = g.input(z + ".direction", w);
        Node score = g.apply(new Binary(Binary.Kind.SUB), q.origin(), b, g.apply(new Unary(Unary.Fn.SIGMOID), q.origin(), theta));
        Node scoreAlong = g.apply(new vaec.runtime.ops.RowSum(), q.origin(), g.apply(new Binary(Binary.Kind.MUL), q.origin(), score, direction));
        Node c0 = control(i, lp, s, theta, g.apply(new ConditionalLogistic(), q.origin(), theta, b, v), false);
        Node objective = g.apply(new Binary(Binary.Kind.MUL), q.origin(), scoreAlong, c0);
        Node difference = null;
        for (int sign : new int[] {1, -1}) {
          Node probe = g.apply(new DirectionalProbe(sign * PROBE_DELTA), q.origin(), theta, direction);
          Node cz = control(i, lp, s, probe, g.apply(new LogisticRsample(), q.origin(), probe, u), false);
          Node cCond = control(i, lp, s, probe, g.apply(new ConditionalLogistic(), q.origin(), probe, b, v), false);
          Node g2 = sign > 0 ? g.apply(new Binary(Binary.Kind.SUB), q.origin(), cCond, cz)
              : g.apply(new Binary(Binary.Kind.SUB), q.origin(), cz, cCond);
          difference = sum(difference, g2);
        }
        Node scale = g.apply(new ProbeScale(PROBE_DELTA), q.origin(), direction);
        objective = sum(objective, g.apply(new Binary(Binary.Kind.MUL), q.origin(), difference, scale));
        total = sum(total, objective);
      }
    }
    if (total == null) return false;
    g.setLoss(g.apply(new Affine(2, 0), SourceRef.NONE, total));
    return true;
  }

  private Part enumeration(int i, LatentPlan lp, Scope s) {
    Site q = lp.guide();
    Site p = lp.prior();
    String z = q.variable();
    Map<String, Node> qArgs = args(q, s);
    Map<String, Node> pArgs = args(p, s);
    Node objective = null;
    Node likelihood = null;
    Node surrogate = null;
    Set<String> deps = union(depsOfArgs(q), depsOfArgs(p));
    for (double[] v : q.family().enumerate(q.width())) {
      Scope branch = s.child();
      Node value = g.constantRow(v);
      branch.latents.put(z, value);
      Node logQ = q.family().logProb(g, q.origin(), value, qArgs);
      Node weight = g.apply(new Unary(Unary.Fn.EXP), q.origin(), logQ);
      Node f = g.apply(new Binary(Binary.Kind.SUB), p.origin(), p.family().logProb(g, p.origin(), value, pArgs), logQ);
      Node lik = null;
      Part rest = rest(i + 1, branch);
      for (Term t : rest.terms()) {
        f = sum(f, t.node());
        if (t.likelihood()) lik = sum(lik, t.node());
        deps.addAll(t.deps());
      }
      objective = sum(objective, g.apply(new Binary(Binary.Kind.MUL), q.origin(), weight, f));
      if (lik != null) likelihood = sum(likelihood, g.apply(new Binary(Binary.Kind.MUL), q.origin(), weight, lik));
      if (rest.surrogate() != null) {
        surrogate = sum(surrogate, g.apply(new Binary(Binary.Kind.MUL), q.origin(),
            g.apply(new StopGradient(), q.origin(), weight), rest.surrogate()));
      }
    }
    deps.remove(z);   // summed out: nothing downstream of this point varies with z any more
    List<Term> terms = new ArrayList<>();
    if (likelihood != null) {
      terms.add(new Term(likelihood, deps, true));
      objective = g.apply(new Binary(Binary.Kind.SUB), q.origin(), objective, likelihood);
    }
    terms.add(new Term(objective, deps, false));
    return new Part(terms, surrogate);
  }

  /** log p(z) and -log q(z) for a drawn z, as two terms. */
  private List<Term> sampleTerms(Site q, Site p, Node value, Node logQ, Map<String, Node> pArgs) {
    return sampleTerms(q, p, value, logQ, pArgs, p.family(), pArgs);
  }

  private List<Term> sampleTerms(Site q, Site p, Node value, Node logQ, Map<String, Node> pArgs,
                                 vaec.stdlib.distributions.DistributionFamily priorFamily, Map<String, Node> priorArgs) {
    String z = q.variable();
    Set<String> own = union(Set.of(z), closureOf(z));
    Node logP = priorFamily.logProb(g, p.origin(), value, priorArgs);
    return List.of(new Term(logP, union(own, depsOfArgs(p)), false),
        new Term(g.apply(new Affine(-1, 0), q.origin(), logQ), own, false));
  }

  private Node dataInput() {
    List<Node> xs = new ArrayList<>();
    for (Variable x : model.data()) xs.add(g.inputs().get(x.name()));
    return xs.size() == 1 ? xs.get(0) : g.apply(new Concat(), SourceRef.NONE, xs.toArray(new Node[0]));
  }

  // ---------------------------------------------------------------- other purposes

  /** log p(x, z) - log q(z | x) for one draw of every latent (pathwise or not: no gradient needed). */
  private void logWeight() {
    Scope s = rootScope();
    Node logW = null;
    for (LatentPlan lp : plan.latents()) {
      Site q = lp.guide();
      Map<String, Node> qArgs = args(q, s);
      Node z = q.family().hasPathwiseSampler() ? q.family().rsample(g, q.origin(), qArgs, q.width(), q.variable())
          : q.family().sample(g, q.origin(), qArgs, q.width(), q.variable());
      s.latents.put(q.variable(), z);
      Site p = lp.prior();
      logW = sum(logW, p.family().logProb(g, p.origin(), z, args(p, s)));
      logW = g.apply(new Binary(Binary.Kind.SUB), q.origin(), logW, q.family().logProb(g, q.origin(), z, qArgs));
    }
    for (Site x : model.likelihood()) {
      logW = sum(logW, x.family().logProb(g, x.origin(), g.inputs().get(x.variable()), args(x, s)));
    }
    g.output("log_weight", logW);
  }

  private void priorSample() {
    Scope s = new Scope(new IdentityHashMap<>(), new LinkedHashMap<>(), false);
    for (Site p : plan.priorOrder()) {
      s.latents.put(p.variable(), p.family().sample(g, p.origin(), args(p, s), p.width(), p.variable()));
    }
    likelihoodMeans(s);
  }

  private void reconstruct() {
    Scope s = rootScope();
    for (LatentPlan lp : plan.latents()) {
      Site q = lp.guide();
      Node mean = q.family().mean(g, q.origin(), args(q, s));
      s.latents.put(q.variable(), mean);
      g.output("latent_mean_" + q.variable(), mean);
    }
    likelihoodMeans(s);
  }

  private void likelihoodMeans(Scope s) {
    for (Site x : model.likelihood()) {
      g.output("mean_" + x.variable(), x.family().mean(g, x.origin(), args(x, s)));
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
      out.put(e.getKey(), v instanceof IrExpr.Const c ? constant(c.value(), site.width()) : node(v, s));
    }
    return out;
  }

  private Node constant(double v, int width) {
    return constants.computeIfAbsent(v + "@" + width, k -> g.constant(v, width));
  }

  private Node node(IrExpr e, Scope s) {
    Node done = s.memo.get(e);
    if (done != null) return done;
    Node n;
    SourceRef o = e.origin();
    if (e instanceof IrExpr.Data d) n = g.inputs().get(d.name());
    else if (e instanceof IrExpr.Latent l) n = s.latents.get(l.name());
    else if (e instanceof IrExpr.Fn f) n = g.apply(new Unary(f.fn()), o, node(f.arg(), s));
    else if (e instanceof IrExpr.NetCall c) n = c.network().apply(g, o, node(c.input(), s), s.frozen);
    else if (e instanceof IrExpr.Slice sl) n = g.apply(new Slice(sl.from(), sl.to()), o, node(sl.target(), s));
    else if (e instanceof IrExpr.Concat c) {
      List<Node> parts = new ArrayList<>();
      for (IrExpr p : c.parts()) parts.add(node(p, s));
      n = g.apply(new Concat(), o, parts.toArray(new Node[0]));
    } else if (e instanceof IrExpr.Arith a) n = arith(a, s);
    else throw new IllegalStateException("constant outside an argument: " + e);
    if (n == null) throw new IllegalStateException("unbound value in " + e);
    s.memo.put(e, n);
    return n;
  }

  /** Scalar arithmetic folds into one affine op; value-with-value arithmetic is element-wise. */
  private Node arith(IrExpr.Arith a, Scope s) {
    SourceRef o = a.origin();
    if (a.left() instanceof IrExpr.Const c) {
      double k = c.value();
      Node x = node(a.right(), s);
      return switch (a.op()) {
        case '+' -> g.apply(new Affine(1, k), o, x);
        case '-' -> g.apply(new Affine(-1, k), o, x);
        case '*' -> g.apply(new Affine(k, 0), o, x);
        default -> g.apply(new Reciprocal(k), o, x);
      };
    }
    if (a.right() instanceof IrExpr.Const c) {
      double k = c.value();
      Node x = node(a.left(), s);
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
    return g.apply(new Binary(kind), o, node(a.left(), s), node(a.right(), s));
  }
}
