package vaec.compiler.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import vaec.compiler.Diagnostics;
import vaec.compiler.Suggest;
import vaec.compiler.ir.ProbModel;
import vaec.compiler.ir.Site;
import vaec.compiler.ir.Variable;
import vaec.stdlib.Catalog;
import vaec.stdlib.estimators.Baseline;
import vaec.stdlib.estimators.Estimator;

/**
 * Pass 4: choose each latent's gradient estimator from its guide family's properties (pathwise
 * sampler, discreteness, support size), honour a {@code using ...} clause when it can work and
 * reject it with the reason when it cannot, and decide analytic versus Monte Carlo KL.
 */
public final class EstimatorPlanner {
  private EstimatorPlanner() {}

  /** Temperature of the Concrete relaxation when the model names none (Jang et al. use 0.5 to 1). */
  public static final double DEFAULT_TEMPERATURE = 0.5;

  public static EstimatorPlan plan(ProbModel m, Catalog catalog) {
    return plan(m, catalog, java.util.Map.of());
  }

  /** Whether the estimator replaces the latent by its Concrete relaxation, which is built from logits. */
  public static boolean relaxesByLogits(Estimator e) {
    return e == Estimator.CONCRETE || e == Estimator.STRAIGHT_THROUGH;
  }

  /** A forced choice for one latent, as `vaec variance` uses to compare estimators. */
  public record Forced(Estimator estimator, Baseline baseline) {}

  /**
   * The plan with some latents' estimators forced (ignoring their using clauses). A forced
   * estimator that cannot serve the latent is an IllegalArgumentException: callers ask only for
   * applicable ones ({@link Estimator#whyNot}).
   */
  public static EstimatorPlan plan(ProbModel m, Catalog catalog, java.util.Map<String, Forced> forced) {
    Diagnostics diags = new Diagnostics(m.source());
    List<LatentPlan> plans = new ArrayList<>();
    for (Variable z : guideOrder(m, diags)) {
      Site q = m.guideOf(z.name());
      Site p = m.priorOf(z.name());
      Estimator est;
      String reason;
      Baseline baseline = Baseline.AVERAGE;
      double temperature = DEFAULT_TEMPERATURE;
      double anneal = 0;
      double minTemperature = -1;
      int hidden = LatentPlan.DEFAULT_SURROGATE_HIDDEN;
      Forced f = forced.get(z.name());
      if (f != null) {
        String whyNot = f.estimator().whyNot(q.family(), z.width());
        if (whyNot == null && relaxesByLogits(f.estimator()) && !(q.args().containsKey("logits") && p.args().containsKey("logits"))) {
          whyNot = "the relaxation needs the guide and the prior written with logits";
        }
        if (whyNot == null && f.estimator().learnsControlVariate() && !q.args().containsKey("logits")) {
          whyNot = f.estimator().keyword() + " needs the guide written with logits";
        }
        if (whyNot != null) throw new IllegalArgumentException(whyNot);
        est = f.estimator();
        baseline = f.baseline() == null ? Baseline.AVERAGE : f.baseline();
        reason = est.keyword() + ": forced for comparison";
      } else if (q.estimator() != null) {
        String name = q.estimator().callee();
        est = Estimator.byKeyword(name);
        if (est == null) {
          List<String> known = Arrays.stream(Estimator.values()).map(Estimator::keyword).collect(Collectors.toList());
          diags.error(q.estimator().calleeSpan(), "unknown estimator '" + name + "'", Suggest.didYouMean(name, known));
          continue;
        }
        String whyNot = est.whyNot(q.family(), z.width());
        if (whyNot != null) {
          diags.error(q.estimator().span(), "estimator '" + name + "' cannot serve latent '" + z.name() + "': " + whyNot,
              "the plan would choose: " + Estimator.choose(q.family(), z.width()).reason());
          continue;
        }
        reason = est.keyword() + ": requested in the model";
        boolean argsOk = true;
        boolean relaxed = est == Estimator.CONCRETE || est == Estimator.STRAIGHT_THROUGH;
        boolean learned = est.learnsControlVariate();
        for (var arg : q.estimator().args()) {
          String key = arg.name() == null ? (relaxed || learned ? "temperature" : "baseline") : arg.name();
          if (learned) {
            List<String> keys = est == Estimator.RELAX ? List.of("temperature", "hidden") : List.of("temperature");
            double v = arg.value() instanceof vaec.compiler.ast.Ast.Num num ? num.value() : Double.NaN;
            if (!keys.contains(key)) {
              diags.error(arg.span(), "estimator '" + name + "' has no setting '" + key + "'",
                  Suggest.didYouMean(key, keys) == null ? "its settings: " + String.join(", ", keys) : Suggest.didYouMean(key, keys));
              argsOk = false;
            } else if (key.equals("temperature") && v > 0 && Double.isFinite(v)) temperature = v;
            else if (key.equals("hidden") && v >= 1 && v <= 100_000 && v == Math.rint(v)) hidden = (int) v;
            else {
              diags.error(arg.value().span(), key.equals("hidden") ? "hidden must be a whole number of units from 1 to 100000"
                  : "temperature must be a positive number (the initial temperature; it is learned from there)");
              argsOk = false;
            }
            continue;
          }
          if (relaxed && (key.equals("temperature") || key.equals("anneal") || key.equals("min_temperature"))) {
            boolean zeroOk = key.equals("anneal");
            if (arg.value() instanceof vaec.compiler.ast.Ast.Num num && (num.value() > 0 || zeroOk && num.value() == 0)) {
              switch (key) {
                case "temperature" -> temperature = num.value();
                case "anneal" -> anneal = num.value();
                default -> minTemperature = num.value();
              }
            } else {
              diags.error(arg.value().span(), key + " must be a " + (zeroOk ? "non-negative" : "positive") + " number");
              argsOk = false;
            }
            continue;
          }
          if (est != Estimator.SCORE_FUNCTION || !key.equals("baseline")) {
            diags.error(arg.span(), "estimator '" + name + "' has no setting '" + key + "'",
                est == Estimator.SCORE_FUNCTION ? "did you mean 'baseline'?"
                    : relaxed ? Suggest.didYouMean(key, List.of("temperature", "anneal", "min_temperature")) : null);
            argsOk = false;
            continue;
          }
          String value = arg.value() instanceof vaec.compiler.ast.Ast.Name n ? n.name() : "";
          Baseline b = Baseline.byKeyword(value);
          if (b == null) {
            List<String> known = Arrays.stream(Baseline.values()).map(Baseline::keyword).collect(Collectors.toList());
            diags.error(arg.value().span(), "unknown baseline '" + value + "'", "known: " + String.join(", ", known));
            argsOk = false;
          } else baseline = b;
        }
        if (!argsOk) continue;
        if (learned && !q.args().containsKey("logits")) {
          diags.error(q.estimator().span(), "estimator '" + name + "' relaxes Bernoulli through its logits, but the guide of '"
              + z.name() + "' gives probs", "write the guide with logits = ...");
          continue;
        }
        if (relaxed && (!q.args().containsKey("logits") || !p.args().containsKey("logits"))) {
          Site byProbs = q.args().containsKey("logits") ? p : q;
          diags.error(q.estimator().span(), "estimator '" + name + "' relaxes " + byProbs.family().name()
              + " through its logits, but the " + byProbs.role().name().toLowerCase() + " of '" + z.name()
              + "' (line " + byProbs.span().line() + ") gives probs", "write the distribution with logits = ...");
          continue;
        }
      } else {
        Estimator.Choice c = Estimator.choose(q.family(), z.width());
        est = c.estimator();
        reason = c.reason();
      }
      var rule = catalog.kl(q.family(), p.family());
      boolean analytic = rule.isPresent();
      String klReason = analytic ? "analytic: " + rule.get().reference()
          : "Monte Carlo: no closed form for KL(" + q.family().name() + " || " + p.family().name() + ")";
      if (est == Estimator.SCORE_FUNCTION) {
        reason += "; control variate: " + switch (baseline) {
          case NONE -> "none";
          case AVERAGE -> "running-average baseline";
          case NVIL -> "learned input-dependent baseline (NVIL): running average plus a network predicting the rest";
        } + "; Rao-Blackwellized: the score is weighted only by the terms that depend on " + z.name();
      }
      vaec.runtime.graph.Schedule schedule = new vaec.runtime.graph.Schedule(temperature, anneal,
          minTemperature > 0 ? Math.min(minTemperature, temperature) : anneal > 0 ? Math.min(DEFAULT_TEMPERATURE, temperature) : temperature);
      if (est == Estimator.CONCRETE || est == Estimator.STRAIGHT_THROUGH) {
        reason += "; temperature " + schedule;
      }
      if (est.learnsControlVariate()) {
        boolean relax = est == Estimator.RELAX;
        reason += String.format("; control variate: c(z) = eta f(sigmoid(z / lambda))%s, taken at the relaxed draw z and at"
            + " z~ drawn given b = H(z), which keeps the estimator unbiased; lambda (from %s), eta (from %s)%s are learned to"
            + " minimize the variance of the gradient at the guide's logits; Rao-Blackwellized: f sums only the terms that"
            + " depend on %s",
            relax ? " + r(sigmoid(z / lambda)), r a " + z.width() + " -> " + hidden + " (tanh) -> 1 network" : "",
            fmt(temperature), fmt(LatentPlan.INITIAL_ETA), relax ? " and r" : "", z.name());
        analytic = false;
        klReason = "Monte Carlo: the estimator needs log p(z) - log q(z) at the drawn z";
      }
      if (est == Estimator.CONCRETE) {
        analytic = false;
        klReason = "Monte Carlo with the relaxed densities of guide and prior (000 section 5.3.1)";
      } else if (est == Estimator.STICKING_THE_LANDING) {
        analytic = false;
        klReason = "Monte Carlo: sticking the landing needs log q(z) at the drawn z";
      } else if (est == Estimator.ENUMERATION) {
        analytic = false;
        klReason = "exact: log p - log q is summed over every value, weighted by q";
      } else if (est == Estimator.STRAIGHT_THROUGH) {
        analytic = false;
        klReason = "Monte Carlo: discrete log p(z) - log q(z) at the hard draw";
      } else if (est != Estimator.REPARAMETERIZED && analytic) {
        analytic = false;
        klReason = "Monte Carlo: the score-function estimator needs log p(z) - log q(z) at the drawn z";
      }
      plans.add(new LatentPlan(z, q, p, est, baseline, schedule, reason, analytic, klReason, hidden));
    }
    // A latent after an enumerated one is lowered once per enumerated value; the variance
    // objective of REBAR and RELAX reads one pass's draws, so it cannot follow enumeration.
    for (int i = 0; i < plans.size(); i++) {
      LatentPlan lp = plans.get(i);
      if (!lp.estimator().learnsControlVariate()) continue;
      for (int j = 0; j < i; j++) {
        if (plans.get(j).estimator() != Estimator.ENUMERATION) continue;
        String why = lp.estimator().keyword() + " for '" + lp.latent().name() + "' cannot follow the enumerated latent '"
            + plans.get(j).latent().name() + "' in guide order";
        if (forced.containsKey(lp.latent().name())) throw new IllegalArgumentException(why);
        diags.error(lp.guide().estimator() != null ? lp.guide().estimator().span() : lp.guide().span(), why,
            "use score_function for '" + lp.latent().name() + "', or another estimator for '" + plans.get(j).latent().name() + "'");
        break;
      }
    }
    List<Site> order = ancestralOrder(m, diags);
    diags.throwIfAny();
    return new EstimatorPlan(plans, order);
  }

  private static String fmt(double v) { return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v); }

  /**
   * The latents in an order in which the guide can sample them: each after the latents its guide
   * reads, otherwise as written. A cycle is a diagnostic at the first guide site on it.
   */
  static List<Variable> guideOrder(ProbModel m, Diagnostics diags) {
    List<Variable> out = new ArrayList<>();
    Set<String> done = new LinkedHashSet<>();
    List<Variable> left = new ArrayList<>(m.latents());
    while (!left.isEmpty()) {
      Variable next = left.stream().filter(z -> done.containsAll(m.guideOf(z.name()).dependsOn())).findFirst().orElse(null);
      if (next == null) {
        Site s = m.guideOf(left.get(0).name());
        List<String> cycle = cycleFrom(s.variable(), v -> m.guideOf(v).dependsOn(), done);
        diags.error(s.span(), "the guide of '" + s.variable() + "' depends on itself: " + String.join(" <- ", cycle),
            "the guide must be able to sample its latents one after another; read the data or earlier latents instead");
        return out;
      }
      out.add(next);
      done.add(next.name());
      left.remove(next);
    }
    return out;
  }

  /** A path v <- d1 <- d2 <- ... <- v through the dependencies of sites not yet ordered. */
  private static List<String> cycleFrom(String start, java.util.function.Function<String, Set<String>> deps, Set<String> done) {
    List<String> path = new ArrayList<>(List.of(start));
    String at = start;
    for (int guard = 0; guard < 10_000; guard++) {
      String next = deps.apply(at).stream().filter(d -> !done.contains(d)).findFirst().orElse(null);
      if (next == null) break;
      int seen = path.indexOf(next);
      path.add(next);
      if (seen >= 0) return path.subList(seen, path.size());
      at = next;
    }
    return path;
  }

  /** Prior sites ordered so that each comes after the latents it depends on. */
  private static List<Site> ancestralOrder(ProbModel m, Diagnostics diags) {
    List<Site> out = new ArrayList<>();
    Set<String> done = new LinkedHashSet<>();
    List<Site> left = new ArrayList<>(m.prior());
    while (!left.isEmpty()) {
      Site next = left.stream().filter(s -> done.containsAll(s.dependsOn())).findFirst().orElse(null);
      if (next == null) {
        Site s = left.get(0);
        List<String> cycle = cycleFrom(s.variable(), v -> m.priorOf(v).dependsOn(), done);
        diags.error(s.span(), "the prior of '" + s.variable() + "' depends on itself: " + String.join(" <- ", cycle),
            "a prior may use only latents whose priors do not use it");
        return out;
      }
      out.add(next);
      done.add(next.variable());
      left.remove(next);
    }
    return out;
  }
}
