package vaec.compiler.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import vaec.compiler.Diagnostics;
import vaec.compiler.Suggest;
import vaec.compiler.ir.EstimatorRequest;
import vaec.compiler.ir.IrExpr;
import vaec.compiler.ir.ProbModel;
import vaec.compiler.ir.Site;
import vaec.compiler.ir.Variable;
import vaec.stdlib.Catalog;
import vaec.stdlib.estimators.Estimators;
import vaec.stdlib.estimators.GradientEstimator;
import vaec.stdlib.estimators.KlMode;
import vaec.stdlib.estimators.LatentSite;
import vaec.stdlib.estimators.Setting;
import vaec.stdlib.estimators.Settings;
import vaec.stdlib.objectives.Objective;
import vaec.stdlib.objectives.Objectives;

/**
 * Pass 4: order the guide's latents by dependency, choose each latent's gradient estimator
 * ({@link Estimators#choose}, or the model's {@code using} clause when it can work, with the
 * estimator's own reason when it cannot), check its settings, and take its KL policy. Everything
 * particular to an estimator is asked of the estimator's class; what the objective needs (a
 * correct gradient of its bound, log p(z) - log q(z) at each draw) is asked of the objective's
 * class ({@link Objective#whyNot}, {@link Objective#whyNoClosedFormKl}).
 */
public final class EstimatorPlanner {
  private EstimatorPlanner() {}

  public static EstimatorPlan plan(ProbModel m, Catalog catalog) {
    return plan(m, catalog, Map.of());
  }

  /** A forced choice for one latent, as `vaec variance` uses to compare estimators. */
  public record Forced(GradientEstimator estimator, Settings settings) {
    public static Forced of(String keyword) {
      GradientEstimator e = Estimators.byKeyword(keyword).orElseThrow();
      return new Forced(e, Settings.defaults(e));
    }

    public Forced with(String setting, Object value) { return new Forced(estimator, settings.with(setting, value)); }
  }

  /** What the estimator is told about a latent. */
  public static LatentSite siteOf(ProbModel m, Variable z) {
    Site q = m.guideOf(z.name());
    Site p = m.priorOf(z.name());
    int dataWidth = m.data().stream().mapToInt(Variable::width).sum();
    return new LatentSite(z.name(), z.width(), q.family(), q.args().keySet(), p.family(), p.args().keySet(), dataWidth);
  }

  /**
   * The plan with some latents' estimators forced (ignoring their using clauses). A forced
   * estimator that cannot serve the latent is an IllegalArgumentException: callers ask only for
   * applicable ones ({@link GradientEstimator#whyNot}).
   */
  public static EstimatorPlan plan(ProbModel m, Catalog catalog, Map<String, Forced> forced) {
    Diagnostics diags = new Diagnostics(m.source());
    ObjectivePlan objective = objective(m, diags);
    Objective obj = objective == null ? null : objective.objective();
    Settings objSettings = objective == null ? null : objective.settings();
    List<LatentPlan> plans = new ArrayList<>();
    for (Variable z : guideOrder(m, diags)) {
      Site q = m.guideOf(z.name());
      Site p = m.priorOf(z.name());
      LatentSite site = siteOf(m, z);
      GradientEstimator est;
      Settings settings;
      String reason;
      Forced f = forced.get(z.name());
      if (f != null) {
        String whyNot = f.estimator().whyNot(site);
        if (whyNot == null && obj != null) whyNot = obj.whyNot(f.estimator(), site, objSettings);
        if (whyNot != null) throw new IllegalArgumentException(whyNot);
        est = f.estimator();
        settings = f.settings();
        reason = est.keyword() + ": forced for comparison";
      } else if (q.estimator() != null) {
        EstimatorRequest r = q.estimator();
        est = Estimators.byKeyword(r.name()).orElse(null);
        if (est == null) {
          diags.error(r.nameSpan(), "unknown estimator '" + r.name() + "'", Suggest.didYouMean(r.name(), Estimators.keywords()));
          continue;
        }
        String whyNot = est.whyNot(site);
        if (whyNot != null) {
          diags.error(r.span(), "estimator '" + r.name() + "' cannot serve latent '" + z.name() + "': " + whyNot,
              "the plan would choose: " + Estimators.choose(site).reason());
          continue;
        }
        String objectiveSays = obj == null ? null : obj.whyNot(est, site, objSettings);
        if (objectiveSays != null) {
          Estimators.Choice c = planned(obj, objSettings, site);
          diags.error(r.span(), objectiveSays, c != null ? "the plan would choose: " + c.reason() : null);
          continue;
        }
        settings = settings("estimator", est.settings(), r, diags);
        String together = settings == null ? null : est.checkTogether(settings);
        if (together != null) {
          diags.error(r.span(), together);
          settings = null;
        }
        if (settings == null) continue;
        reason = est.keyword() + ": requested in the model";
      } else {
        Estimators.Choice c = planned(obj, objSettings, site);
        if (c == null) {
          diags.error(q.span(), obj.whyNot(Estimators.choose(site).estimator(), site, objSettings), "objective = elbo can train it");
          continue;
        }
        est = c.estimator();
        String whyNot = est.whyNot(site);   // the default choice may still refuse the pair (a VQ guide with another prior)
        if (whyNot != null) {
          diags.error(q.span(), "estimator '" + est.keyword() + "' cannot serve latent '" + z.name() + "': " + whyNot);
          continue;
        }
        settings = Settings.defaults(est);
        reason = c.reason();
      }
      Objective.Replacement instead = obj == null ? null : obj.replace(est, site, objSettings);
      if (instead != null && m.semiImplicitOf(z.name()) != null) {
        String why = "the " + obj.keyword() + " objective would train '" + z.name() + "' with " + instead.estimator().keyword()
            + ", which rescores each draw with the guide's arguments held, and a semi-implicit guide has no density to rescore"
            + " (only the K + 1 mixture along its draws)";
        if (forced.containsKey(z.name())) throw new IllegalArgumentException(why);
        diags.error(q.span(), why, "use iwae(gradient = standard)");
        continue;
      }
      if (instead != null) {
        est = instead.estimator();
        settings = Settings.defaults(est);
        reason = instead.reason();
      }
      String detail = est.describe(site, settings);
      if (!detail.isEmpty()) reason += "; " + detail;
      var closedForm = catalog.kl(q.family(), p.family());
      KlMode kl = est.kl(site, closedForm);
      String biased = closedFormAllowed(m, z.name());
      if (kl.analytic() && biased != null) kl = KlMode.monteCarlo(biased);
      String objectiveKl = obj == null ? null : obj.whyNoClosedFormKl();
      if (kl.analytic() && objectiveKl != null) kl = KlMode.monteCarlo(objectiveKl);
      var block = m.semiImplicitOf(z.name());
      if (block != null) {
        // A latent of a semi-implicit guide: pathwise only, and log h(z) is the K + 1 mixture.
        String refused = vaec.stdlib.sivi.SemiImplicit.whyNot(est);
        if (refused != null) {
          if (forced.containsKey(z.name())) throw new IllegalArgumentException(refused);
          diags.error(q.estimator() != null ? q.estimator().span() : q.span(), refused, "remove the using clause: its latents are reparameterized");
          continue;
        }
        reason += "; " + vaec.stdlib.sivi.SemiImplicit.describe(block.k(), block.latents());
        kl = KlMode.monteCarlo(vaec.stdlib.sivi.SemiImplicit.klReason(block.k()));
      }
      plans.add(new LatentPlan(z, q, p, site, est, settings, reason, kl));
    }
    // A latent after a branching one (enumeration) is lowered once per value; an estimator whose
    // companion graph reads one pass's draws (REBAR, RELAX) cannot follow it.
    for (int i = 0; i < plans.size(); i++) {
      LatentPlan lp = plans.get(i);
      if (!lp.estimator().needsSinglePass()) continue;
      for (int j = 0; j < i; j++) {
        if (!plans.get(j).estimator().branchesTheRest()) continue;
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
    return new EstimatorPlan(plans, order, objective);
  }

  /**
   * The planner's choice for a latent under the objective: the default ({@link Estimators#choose})
   * when the objective accepts it, else the first estimator in catalog order that serves the latent
   * and that the objective accepts (VIMCO for a discrete latent under a multi-sample bound); null
   * when there is none.
   */
  static Estimators.Choice planned(Objective obj, Settings objSettings, LatentSite site) {
    Estimators.Choice c = Estimators.choose(site);
    if (obj == null) return c;
    String refused = obj.whyNot(c.estimator(), site, objSettings);
    if (refused == null) return c;
    for (GradientEstimator e : Estimators.all()) {
      if (e.whyNot(site) == null && obj.whyNot(e, site, objSettings) == null) {
        return new Estimators.Choice(e, e.keyword() + ": the " + obj.keyword() + " objective refuses the default ("
            + c.estimator().keyword() + ")");
      }
    }
    return null;
  }

  /**
   * Null when KL(q(z) || p(z)) may be taken in closed form; else why not. The closed form at one
   * draw of the prior's latents is unbiased only if those draws do not depend on z itself: with a
   * bottom-up guide (z2 drawn from z1) and a top-down prior (z1 given z2), E[KL(q(z1) || p(z1 | z2))]
   * is not E[log q(z1) - log p(z1 | z2)], since z2 varies with z1.
   */
  static String closedFormAllowed(ProbModel m, String z) {
    Site p = m.priorOf(z);
    for (String d : p.dependsOn()) {
      if (guideAncestors(m, d).contains(z)) {
        return "the prior of " + z + " reads " + d + ", which the guide draws from " + z
            + ", so a closed form at one draw of " + d + " would be biased";
      }
    }
    return null;
  }

  /** The latents whose guide draws {@code v}'s guide reads, directly or not. */
  static Set<String> guideAncestors(ProbModel m, String v) {
    Set<String> out = new LinkedHashSet<>();
    List<String> todo = new ArrayList<>(List.of(v));
    while (!todo.isEmpty()) {
      String at = todo.remove(todo.size() - 1);
      for (String d : m.guideOf(at).dependsOn()) if (out.add(d)) todo.add(d);
    }
    return out;
  }

  /** Checks the settings of {@code m}'s objective clause, reporting their mistakes to {@code diags}. */
  public static void checkObjective(ProbModel m, Diagnostics diags) {
    objective(m, diags);
  }

  /** The train block's objective (the ELBO when it names none) with its settings checked. */
  static ObjectivePlan objective(ProbModel m, Diagnostics diags) {
    EstimatorRequest r = m.objective();
    if (r == null) return new ObjectivePlan(Objectives.standard(), Settings.defaults(Objectives.standard().settings()));
    Objective o = Objectives.byKeyword(r.name()).orElse(null);
    if (o == null) return null;   // the train block's check said so already
    Settings s = settings("objective", o.settings(), r, diags);
    String together = s == null ? null : o.checkTogether(s);
    if (together != null) {
      diags.error(r.span(), together);
      return null;
    }
    return s == null ? null : new ObjectivePlan(o, s);
  }

  /**
   * A clause's settings checked against the settings its estimator or objective declares
   * ({@code what} names which, for messages); null after a diagnostic.
   */
  static Settings settings(String what, List<Setting> declared, EstimatorRequest r, Diagnostics diags) {
    Map<String, Setting> known = new LinkedHashMap<>();
    for (Setting s : declared) known.put(s.name(), s);
    Settings out = Settings.defaults(declared);
    boolean ok = true;
    // A setting given twice (iwae(samples = 5, samples = 6)) took the last value without a word.
    Set<String> given = new java.util.HashSet<>();
    for (EstimatorRequest.Arg a : r.args()) {
      String key = a.name();
      if (key == null) {
        if (known.isEmpty()) {
          diags.error(a.span(), what + " '" + r.name() + "' has no settings");
          ok = false;
          continue;
        }
        key = known.keySet().iterator().next();
      }
      if (known.containsKey(key) && !given.add(key)) {
        diags.error(a.span(), what + " '" + r.name() + "': setting '" + key + "' is given twice");
        ok = false;
        continue;
      }
      Setting s = known.get(key);
      if (s == null) {
        String hint = known.isEmpty() ? "it has no settings"
            : known.size() == 1 ? "did you mean '" + known.keySet().iterator().next() + "'?"
            : Suggest.didYouMean(key, List.copyOf(known.keySet())) != null ? Suggest.didYouMean(key, List.copyOf(known.keySet()))
            : "its settings: " + String.join(", ", known.keySet());
        diags.error(a.span(), what + " '" + r.name() + "' has no setting '" + key + "'", hint);
        ok = false;
        continue;
      }
      String bad = s.check(a.value());
      if (bad != null) {
        diags.error(a.valueSpan(), s.isChoice() && a.value() instanceof String v ? "unknown " + key + " '" + v + "'" : bad,
            s.isChoice() ? "known: " + String.join(", ", s.names()) : null);
        ok = false;
        continue;
      }
      out = out.with(key, a.value());
    }
    return ok ? out : null;
  }

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

  /**
   * Whether {@code e} reads data {@code v} only as the sequence part of an autoregressive
   * decoder's input, concat(c, v) with c as wide as the decoder's condition (and c not reading v).
   */
  static boolean readsOnlyCausally(IrExpr e, String v) {
    if (e instanceof IrExpr.Data d) return !d.name().equals(v);
    if (e instanceof IrExpr.Const || e instanceof IrExpr.Latent) return true;
    if (e instanceof IrExpr.Fn f) return readsOnlyCausally(f.arg(), v);
    if (e instanceof IrExpr.Slice sl) return readsOnlyCausally(sl.target(), v);
    if (e instanceof IrExpr.Arith a) return readsOnlyCausally(a.left(), v) && readsOnlyCausally(a.right(), v);
    if (e instanceof IrExpr.Concat c) return c.parts().stream().allMatch(p -> readsOnlyCausally(p, v));
    if (e instanceof IrExpr.NetCall n) {
      int cond = n.network().autoregressiveCondition();
      if (cond >= 0 && n.input() instanceof IrExpr.Concat c && !c.parts().isEmpty()
          && c.parts().get(c.parts().size() - 1) instanceof IrExpr.Data d && d.name().equals(v)) {
        List<IrExpr> rest = c.parts().subList(0, c.parts().size() - 1);
        return rest.stream().mapToInt(IrExpr::width).sum() == cond && rest.stream().allMatch(p -> readsOnlyCausally(p, v));
      }
      return readsOnlyCausally(n.input(), v);
    }
    return false;
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

  /**
   * Prior and likelihood sites in an order where each comes after the latents it reads and the
   * scored data it reads (a prior conditioned on a label that is itself modelled). A cycle among
   * priors, or through a likelihood (a prior reading data generated from its own latent), is a
   * diagnostic: such a model is no joint distribution.
   */
  private static List<Site> ancestralOrder(ProbModel m, Diagnostics diags) {
    Set<String> scored = new LinkedHashSet<>();
    for (Site x : m.likelihood()) scored.add(x.variable());
    Map<String, Site> byVariable = new LinkedHashMap<>();
    for (Site s : m.prior()) byVariable.put(s.variable(), s);
    for (Site s : m.likelihood()) byVariable.put(s.variable(), s);
    java.util.function.Function<String, Set<String>> needs = v -> {
      Site s = byVariable.get(v);
      Set<String> n = new LinkedHashSet<>(s == null ? Set.of() : s.dependsOn());
      if (s != null) for (String d : s.dataRead()) if (scored.contains(d) && !(d.equals(v) && s.role() == Site.Role.LIKELIHOOD)) n.add(d);
      return n;
    };
    for (Site x : m.likelihood()) {
      if (!x.dataRead().contains(x.variable())) continue;
      for (IrExpr e : x.args().values()) {
        if (!readsOnlyCausally(e, x.variable())) {
          diags.error(x.span(), "the likelihood of '" + x.variable() + "' reads " + x.variable() + " itself, which only an autoregressive decoder may do",
              "call a decoder (GRU or LSTM with condition = C) on concat(z, " + x.variable() + "): its position t reads the positions before t only");
          return List.of();
        }
      }
    }
    List<Site> out = new ArrayList<>();
    Set<String> done = new LinkedHashSet<>();
    List<Site> left = new ArrayList<>(m.prior());
    left.addAll(m.likelihood());
    while (!left.isEmpty()) {
      Site next = left.stream().filter(s -> done.containsAll(needs.apply(s.variable()))).findFirst().orElse(null);
      if (next == null) {
        Site s = left.stream().filter(c -> c.role() == Site.Role.PRIOR).findFirst().orElse(left.get(0));
        List<String> cycle = cycleFrom(s.variable(), needs, done);
        boolean throughData = cycle.stream().anyMatch(scored::contains);
        if (throughData) {
          diags.error(s.span(), "the " + s.role().name().toLowerCase() + " of '" + s.variable() + "' reads data generated from it: "
              + String.join(" <- ", cycle), "a prior may read conditioning inputs (data with no likelihood) or data modelled without it");
        } else {
          diags.error(s.span(), "the prior of '" + s.variable() + "' depends on itself: " + String.join(" <- ", cycle),
              "a prior may use only latents whose priors do not use it");
        }
        return out;
      }
      out.add(next);
      done.add(next.variable());
      left.remove(next);
    }
    return out;
  }
}
