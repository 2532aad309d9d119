package vaec.stdlib.objectives;

import java.util.List;
import vaec.runtime.model.ReportedTerm;
import vaec.stdlib.estimators.GradientEstimator;
import vaec.stdlib.estimators.LatentSite;
import vaec.stdlib.estimators.Setting;
import vaec.stdlib.estimators.Settings;

/**
 * A training objective: one class owns its settings, how many samples of the latents it draws per
 * example, how it turns the model's per-sample terms into a per-example loss, and which terms it
 * reports. The trainer, the evaluator and the progress display read {@link #reported} instead of
 * fixed names. A new objective is a subclass and one entry in {@link Objectives}.
 *
 * <p>The sample axis: a graph built for an objective with S samples runs on batch x S rows, each
 * example repeated S times in consecutive rows (sample fastest), each row with its own noise. An
 * objective may combine a group's rows (an importance-weighted bound would take a log-mean-exp
 * over them); the per-example loss is the mean over rows of its loss node.
 */
public abstract class Objective {
  /** The name a model writes after {@code objective =}. */
  public abstract String keyword();

  /** The settings {@code objective = NAME(...)} accepts; a positional argument is the first. */
  public List<Setting> settings() { return List.of(); }

  /** Checks that need several settings at once; null when they agree, else the message. */
  public String checkTogether(Settings s) { return null; }

  /**
   * How the KL terms are weighted in the differentiated loss (beta, annealing, free bits), or null
   * when they are not: the lowering then builds the model's graphs exactly as for the plain ELBO.
   */
  public KlWeight klWeight(Settings s) { return null; }

  /** Samples of the latents per example. */
  public int samples(Settings s) { return 1; }

  /** What the compile summary says about it. */
  public abstract String describe(Settings s);

  /** The terms it reports, the first being the loss minimized; each is an output of the graphs. */
  public abstract List<ReportedTerm> reported();

  /** The terms it reports with these settings (a label may name a setting, as "-IWAE-5" does). */
  public List<ReportedTerm> reported(Settings s) { return reported(); }

  /**
   * Null when a latent's KL term may be taken in closed form inside this objective (the planner
   * then uses it where the estimator and the families allow), else why the objective needs
   * log p(z) - log q(z) at each draw instead.
   */
  public String whyNoClosedFormKl() { return null; }

  /**
   * Null when estimator {@code e} gives a correct gradient of this objective for latent {@code z},
   * else the reason it does not: the planner reports it at the latent's guide site.
   */
  public String whyNot(GradientEstimator e, LatentSite z) {
    if (!e.multiSample()) return null;
    return e.keyword() + " is built for a multi-sample bound (objective = iwae(samples = k), k >= 2), not for the " + keyword()
        + " objective: use score_function for latent '" + z.name() + "'";
  }

  /** As {@link #whyNot(GradientEstimator, LatentSite)}, where the answer depends on the objective's settings. */
  public String whyNot(GradientEstimator e, LatentSite z, Settings s) { return whyNot(e, z); }

  /**
   * Null when latent {@code z} is lowered with estimator {@code e} as planned, else the estimator
   * this objective lowers it with instead, and why (the plan prints the reason): iwae's DReG
   * gradient takes the pathwise latents' path term from sticking_the_landing.
   */
  public Replacement replace(GradientEstimator e, LatentSite z, Settings s) { return null; }

  /** An estimator an objective puts in place of the planned one, and why. */
  public record Replacement(GradientEstimator estimator, String reason) {}

  /** Lowers the per-row loss, the reported outputs and the differentiated loss. */
  public abstract void lower(ObjectiveStep step);
}
