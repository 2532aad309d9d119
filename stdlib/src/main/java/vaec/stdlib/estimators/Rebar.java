package vaec.stdlib.estimators;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.NoiseKind;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.model.ParamInit;
import vaec.runtime.ops.Binary;
import vaec.runtime.ops.CombineBlocks;
import vaec.runtime.ops.DirectionalProbe;
import vaec.runtime.ops.ProbeScale;
import vaec.runtime.ops.RowSum;
import vaec.runtime.ops.ScaleByParam;
import vaec.runtime.ops.StackRows;
import vaec.runtime.ops.Unary;
import vaec.stdlib.distributions.ConditionalRelaxation;

/**
 * REBAR (Tucker et al. 2017): the score function with the relaxed objective as control variate,
 * made unbiased by the conditional relaxed draw. With z the pre-relaxation, b = H(z) the discrete
 * draw and z~ ~ p(z | b), the estimator of the gradient at the guide's argument is
 * <pre>  [f(b) - c(z~)] d log q(b) + d c(z) - d c(z~)</pre>
 * with f the terms that depend on the latent and c(z) = eta f(sigma_lambda(z)) the same terms at
 * the relaxation; here it is the surrogate -stop(f - c(z~)) log q(b) - c(z) + c(z~). Inside c the
 * model's networks and the control variate's own parameters are frozen: the decoder learns from
 * f(b) alone, and lambda and eta learn only from the variance objective, the loss of the companion
 * graph ({@link #companionLoss}).
 */
public class Rebar extends GradientEstimator {
  /** The control-variate scale eta at the start; learned from there. */
  public static final double INITIAL_ETA = 1.0;
  /**
   * RMS step, in logits, of the central difference the variance objective takes along the
   * estimator's own gradient. Small enough that the O(delta^2) truncation is negligible next to
   * Monte Carlo noise, large enough that float32 rounding of the relaxed objective (hundreds of
   * nats) stays far below the difference.
   */
  public static final double PROBE_DELTA = 1e-2;

  @Override public String keyword() { return "rebar"; }

  @Override
  public String whyNot(LatentSite z) {
    var cr = z.guide().conditionalRelaxation();
    if (cr.isEmpty()) {
      return z.guide().name() + " is not binary: " + keyword() + " is built here on the logistic relaxation of Bernoulli latents"
          + " (for categorical latents use concrete, straight_through or score_function)";
    }
    if (!z.guideArgs().contains(cr.get().argument())) {
      return keyword() + " relaxes " + z.guide().name() + " through its " + cr.get().argument() + ", but the guide of '" + z.name()
          + "' gives " + String.join(", ", z.guideArgs()) + "; write the guide with " + cr.get().argument() + " = ...";
    }
    return null;
  }

  @Override
  public List<Setting> settings() {
    return List.of(Setting.number("temperature", Relaxation.DEFAULT_TEMPERATURE, 0, true, Double.POSITIVE_INFINITY, false,
        "the initial temperature; it is learned from there"));
  }

  @Override
  public String describe(LatentSite z, Settings s) {
    return String.format("control variate: c(z) = eta f(sigmoid(z / lambda))%s, taken at the relaxed draw z and at"
        + " z~ drawn given b = H(z), which keeps the estimator unbiased; lambda (from %s), eta (from %s)%s are learned to"
        + " minimize the variance of the gradient at the guide's logits; Rao-Blackwellized: f sums only the terms that"
        + " depend on %s", surrogateText(z, s), Setting.fmt(s.number("temperature")), Setting.fmt(INITIAL_ETA),
        surrogateText(z, s).isEmpty() ? "" : " and r", z.name());
  }

  /** RELAX's surrogate network in the plan text; empty for REBAR. */
  String surrogateText(LatentSite z, Settings s) { return ""; }

  @Override public boolean needsSinglePass() { return true; }

  @Override
  public List<ParamInit> params(LatentSite z, Settings s) {
    List<ParamInit> ps = new ArrayList<>();
    ps.add(ParamInit.constant(z.name() + ".rebar.log_temperature", Math.log(s.number("temperature")), 1, 1));
    ps.add(ParamInit.constant(z.name() + ".rebar.eta", INITIAL_ETA, 1, 1));
    return ps;
  }

  @Override
  public Part lower(LatentStep step) {
    if (step.valuesOnly()) return ScoreFunction.valuesOnly(step);
    Graph g = step.graph();
    SourceRef o = step.guideOrigin();
    LatentSite z = step.latent();
    ConditionalRelaxation cr = z.guide().conditionalRelaxation().orElseThrow();
    Map<String, Node> qArgs = step.guideArgs();
    Node logits = qArgs.get(cr.argument());
    Node u = g.noise(z.name() + ".u", NoiseKind.UNIFORM, z.width());
    Node v = g.noise(z.name() + ".v", NoiseKind.UNIFORM, z.width());
    // The draws' noise, made once: the companion's draws at the probes read it too (links u_noise, v_noise).
    Node uNoise = cr.noise(g, o, u);
    Node vNoise = cr.noise(g, o, v);
    Node relaxed = cr.draw(g, o, logits, uNoise);
    Node b = cr.harden(g, o, relaxed);
    step.bind(b);
    Node logQ = z.guide().logProb(g, o, b, qArgs);
    List<Term> terms = new ArrayList<>(step.densityTerms(b, logQ));
    Part rest = step.rest();
    terms.addAll(rest.terms());

    Node signal = stop(g, o, step.signal(terms));   // f(b), weighted as the objective is
    Node conditional = cr.conditional(g, o, logits, b, vNoise);
    Node cAtConditional;
    Node cDifference;   // c(z~) - c(z)
    if (step.canStack()) {
      // Both evaluations in one pass, stacked along the rows: block 0 at z, block 1 at z~.
      Node c = controls(step, cr, List.of(logits, logits), List.of(relaxed, conditional), true);
      cAtConditional = g.apply(new CombineBlocks(0, 1), o, c);
      cDifference = g.apply(new CombineBlocks(-1, 1), o, c);
    } else {
      Node cAtZ = control(step, cr, logits, relaxed, true);
      cAtConditional = control(step, cr, logits, conditional, true);
      cDifference = sub(g, o, cAtConditional, cAtZ);
    }
    Node advantage = sub(g, o, signal, stop(g, o, cAtConditional));
    Node surrogate = sum(g, rest.surrogate(), neg(g, o, mul(g, o, stop(g, o, advantage), logQ)));
    surrogate = sum(g, surrogate, cDifference);

    step.exportLink("logits", logits, false);
    step.exportLink("b", b, false);
    step.exportLink("u_noise", uNoise, false);
    step.exportLink("v_noise", vNoise, false);
    // z~ at the guide's logits: the companion's first evaluation is at the same point, with the same
    // b and v, so it reads this value rather than drawing it again (the same op on the same inputs).
    step.exportLink("conditional", conditional, false);
    step.exportLink("direction", logits, true);
    return new Part(terms, surrogate);
  }

  /**
   * c(zPre) = eta f(sigma_lambda(zPre)) (+ r(sigma_lambda(zPre)) for RELAX): the terms of the
   * objective that depend on the latent, evaluated in a frozen copy of the scope before the latent
   * with the latent bound to its relaxation and the guide's density taken at {@code logits}. With
   * {@code stopOwn}, lambda, eta and r are held constant too.
   */
  private Node control(LatentStep step, ConditionalRelaxation cr, Node logits, Node zPre, boolean stopOwn) {
    Graph g = step.graph();
    SourceRef o = step.guideOrigin();
    LatentSite z = step.latent();
    Node logLambda = step.param("rebar.log_temperature", 1, 1);
    Node eta = step.param("rebar.eta", 1, 1);
    if (stopOwn) {
      logLambda = stop(g, o, logLambda);
      eta = stop(g, o, eta);
    }
    Node relaxed = cr.relax(g, o, zPre, logLambda);
    LatentStep branch = step.frozenBefore();
    branch.bind(relaxed);
    Node logQ = z.guide().logProb(g, o, relaxed, Map.of(cr.argument(), logits));
    List<Term> terms = new ArrayList<>(branch.densityTerms(relaxed, logQ));
    terms.addAll(branch.rest().terms());
    Node c = g.apply(new ScaleByParam(), o, signal(g, terms, z.name()), eta);
    return sum(g, c, surrogate(step, relaxed, stopOwn));
  }

  /**
   * {@link #control} at several points at once: {@code zPre.get(j)} with the guide's density taken
   * at {@code logits.get(j)}, each a block of rows of one stacked pass (one wide gemm per layer of
   * the model, not one narrow gemm per point). Returns a column of those blocks, which
   * {@link CombineBlocks} reads back. The draws of any later latent are made per block.
   */
  private Node controls(LatentStep step, ConditionalRelaxation cr, List<Node> logits, List<Node> zPre, boolean stopOwn) {
    Graph g = step.graph();
    SourceRef o = step.guideOrigin();
    LatentSite z = step.latent();
    int k = zPre.size();
    LatentStep branch = step.frozenBefore().stacked(k);
    return branch.within(() -> {
      // Made here, an op on a parameter alone (the stops) gets the stacked rows.
      Node lambda = step.param("rebar.log_temperature", 1, 1);
      Node scale = step.param("rebar.eta", 1, 1);
      if (stopOwn) {
        lambda = stop(g, o, lambda);
        scale = stop(g, o, scale);
      }
      Node at = stackRows(g, o, logits);
      Node relaxed = cr.relax(g, o, stackRows(g, o, zPre), lambda);
      branch.bind(relaxed);
      Node logQ = z.guide().logProb(g, o, relaxed, Map.of(cr.argument(), at));
      List<Term> terms = new ArrayList<>(branch.densityTerms(relaxed, logQ));
      terms.addAll(branch.rest().terms());
      Node c = g.apply(new ScaleByParam(), o, signal(g, terms, z.name()), scale);
      return sum(g, c, surrogate(step, relaxed, stopOwn));
    });
  }

  private static Node stackRows(Graph g, SourceRef o, List<Node> blocks) {
    return blocks.size() == 1 ? blocks.get(0) : g.apply(new StackRows(blocks.size()), o, blocks.toArray(new Node[0]));
  }

  /** RELAX's learned surrogate r at the relaxed value; null for REBAR. */
  Node surrogate(LatentStep step, Node relaxed, boolean frozen) { return null; }

  /**
   * The variance objective, the companion graph's loss. Its gradient with respect to lambda, eta
   * (and r) is the gradient of E|g|^2 for the estimator g at the guide's logits (Grathwohl et al.
   * 2018: d Var(g) = d E[g^2], since E[g] does not depend on the control variate). With v = g held
   * fixed, 2 g . dg/dphi = d(g . v)/dphi, and g . v is the directional derivative along v of
   * G(theta) = c(z~(stop theta)) log q(b | theta) - c(z(theta)) + c(z~(theta)). Its first part is
   * (s . v) c(z~) exactly, s = b - sigmoid(theta); the rest is a central difference along v with
   * the draws b, u, v held fixed, which keeps everything first order.
   */
  @Override
  public Node companionLoss(LatentStep step) {
    Graph g = step.graph();
    SourceRef o = step.guideOrigin();
    int w = step.latent().width();
    ConditionalRelaxation cr = step.latent().guide().conditionalRelaxation().orElseThrow();
    Node theta = step.importLink("logits", w);
    Node b = step.importLink("b", w);
    Node u = step.importLink("u_noise", w);   // the draws' noise, made of u and v (ConditionalRelaxation.noise)
    Node v = step.importLink("v_noise", w);
    Node direction = step.importLink("direction", w);
    Node conditionalAtTheta = step.importLink("conditional", w);
    Node score = sub(g, o, b, g.apply(new Unary(Unary.Fn.SIGMOID), o, theta));
    Node scoreAlong = g.apply(new RowSum(), o, mul(g, o, score, direction));
    Node objective;
    Node difference;
    if (step.canStack()) {
      // The five evaluations in one stacked pass: c(z~) at theta, then z and z~ at theta + delta v
      // and at theta - delta v.
      Node up = g.apply(new DirectionalProbe(PROBE_DELTA), o, theta, direction);
      Node down = g.apply(new DirectionalProbe(-PROBE_DELTA), o, theta, direction);
      Node c = controls(step, cr, List.of(theta, up, up, down, down), List.of(conditionalAtTheta, cr.draw(g, o, up, u),
          cr.conditional(g, o, up, b, v), cr.draw(g, o, down, u), cr.conditional(g, o, down, b, v)), false);
      objective = mul(g, o, scoreAlong, g.apply(new CombineBlocks(1, 0, 0, 0, 0), o, c));
      difference = g.apply(new CombineBlocks(0, -1, 1, 1, -1), o, c);
    } else {
      objective = mul(g, o, scoreAlong, control(step, cr, theta, conditionalAtTheta, false));
      difference = null;
      for (int sign : new int[] {1, -1}) {
        Node probe = g.apply(new DirectionalProbe(sign * PROBE_DELTA), o, theta, direction);
        Node cz = control(step, cr, probe, cr.draw(g, o, probe, u), false);
        Node cCond = control(step, cr, probe, cr.conditional(g, o, probe, b, v), false);
        difference = sum(g, difference, sign > 0 ? sub(g, o, cCond, cz) : sub(g, o, cz, cCond));
      }
    }
    Node scale = g.apply(new ProbeScale(PROBE_DELTA), o, direction);
    return sum(g, objective, g.apply(new Binary(Binary.Kind.MUL), o, difference, scale));
  }

  @Override
  public KlMode kl(LatentSite z, java.util.Optional<vaec.stdlib.distributions.KlRule> closedForm) {
    return KlMode.monteCarlo("the estimator needs log p(z) - log q(z) at the drawn z");
  }
}
