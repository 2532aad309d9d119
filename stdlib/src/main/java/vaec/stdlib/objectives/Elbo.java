package vaec.stdlib.objectives;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Schedule;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.model.ReportedTerm;
import vaec.runtime.ops.Affine;
import vaec.runtime.ops.Binary;
import vaec.runtime.ops.FreeBits;
import vaec.runtime.ops.ScheduledScale;
import vaec.stdlib.estimators.Setting;
import vaec.stdlib.estimators.Settings;

/**
 * The evidence lower bound (Kingma and Welling 2014), with closed-form KL where the plan found
 * one, averaged over {@code samples} draws of the latents per example (the same bound with less
 * variance). Reports the negative ELBO, its reconstruction term -E log p(x | z) and the rest (the
 * KL terms).
 *
 * <p>Its KL terms may be weighted in the loss that training differentiates (never in the reported
 * -ELBO, which stays the model's own bound):
 * <pre>  loss = -E log p(x | z) + sum over latents z of beta(step) max(free_bits, E_batch KL_z)</pre>
 * <ul>
 *   <li>{@code beta} (Higgins et al. 2017): a fixed weight, 1 by default.
 *   <li>{@code schedule = linear | sigmoid, warmup = N} (KL annealing, Bowman et al. 2016): beta
 *       rises from {@code beta_start} (0 by default) at step 0 to {@code beta} at step N and stays
 *       there ({@link Schedule#warmup}); steps count optimizer updates, resumed runs included.
 *       {@code warmup_epochs = E} gives the length in epochs instead (E times the optimizer steps
 *       of one epoch, known when training starts).
 *   <li>{@code free_bits = lambda} (Kingma et al. 2016, section on free bits): each latent
 *       variable is one group; its KL (summed over its columns, per row) is replaced by
 *       max(lambda, its mean over the mini-batch and the sample rows) ({@link FreeBits}). Below the
 *       floor it is a constant and gives no gradient; above it, it is unchanged.
 * </ul>
 * With any of them the weighted loss is reported as its own term ("objective"); the evaluation
 * graph takes it at the schedule's final beta.
 */
public final class Elbo extends Objective {
  @Override public String keyword() { return "elbo"; }

  @Override
  public List<Setting> settings() {
    return List.of(Setting.number("samples", 1.0, 1, false, 1024, true, "draws of the latents per example, averaged"),
        Setting.number("beta", 1.0, 0, false, Double.POSITIVE_INFINITY, false,
            "the weight of the KL terms in the loss trained (beta-VAE); with a schedule, the value it warms up to"),
        Setting.choice("schedule", "none", List.of("none", "linear", "sigmoid"),
            "none keeps beta fixed; linear or sigmoid warm it up from beta_start to beta over warmup steps (KL annealing)"),
        Setting.number("warmup", Double.NaN, 0, true, Double.POSITIVE_INFINITY, true, "training steps over which the schedule warms beta up"),
        Setting.number("warmup_epochs", Double.NaN, 0, true, Double.POSITIVE_INFINITY, true,
            "epochs over which the schedule warms beta up (instead of warmup steps)"),
        Setting.number("beta_start", Double.NaN, 0, false, Double.POSITIVE_INFINITY, false,
            "the KL weight at step 0 of a schedule (0 when not given)"),
        Setting.number("free_bits", 0.0, 0, false, Double.POSITIVE_INFINITY, false,
            "a floor in nats on each latent's KL, averaged over the mini-batch (Kingma et al. 2016)"));
  }

  @Override
  public String checkTogether(Settings s) {
    String schedule = s.choice("schedule");
    boolean steps = !Double.isNaN(s.number("warmup"));
    boolean epochs = !Double.isNaN(s.number("warmup_epochs"));
    if (steps && epochs) return "give the warm-up's length once: warmup = STEPS or warmup_epochs = EPOCHS, not both";
    boolean warmup = steps || epochs;
    if (!schedule.equals("none") && !warmup) {
      return "schedule = " + schedule + " needs warmup = STEPS, the training steps over which beta rises from beta_start to beta"
          + " (without it the warm-up would never reach its end)";
    }
    if (schedule.equals("none") && warmup) return (steps ? "warmup" : "warmup_epochs") + " needs a schedule: schedule = linear or schedule = sigmoid";
    if (schedule.equals("none") && !Double.isNaN(s.number("beta_start"))) {
      return "beta_start is where a schedule starts: add schedule = linear (or sigmoid) and warmup = STEPS, or use beta alone";
    }
    return null;
  }

  @Override
  public KlWeight klWeight(Settings s) {
    double beta = s.number("beta");
    Schedule.Shape shape = s.choice("schedule").equals("linear") ? Schedule.Shape.LINEAR : Schedule.Shape.SIGMOID;
    double start = Double.isNaN(s.number("beta_start")) ? 0 : s.number("beta_start");
    Schedule b = s.choice("schedule").equals("none") ? Schedule.fixed(beta)
        : !Double.isNaN(s.number("warmup_epochs")) ? Schedule.warmupEpochs(shape, start, beta, (long) s.number("warmup_epochs"))
        : Schedule.warmup(shape, start, beta, (long) s.number("warmup"));
    KlWeight w = new KlWeight(b, s.number("free_bits"));
    return w.isIdentity() ? null : w;
  }

  @Override public int samples(Settings s) { return (int) s.number("samples"); }

  @Override
  public String describe(Settings s) {
    int k = samples(s);
    String out = "ELBO (negative ELBO minimized, nats per example" + (k > 1 ? "; mean of " + k + " samples per example" : "") + ")";
    KlWeight w = klWeight(s);
    if (w == null) return out;
    List<String> parts = new ArrayList<>();
    if (!(w.beta().isFixed() && w.beta().initial() == 1.0)) parts.add("KL weight beta " + w.beta());
    if (w.freeBits() > 0) parts.add("free bits: each latent's KL floored at " + fmt(w.freeBits()) + " nats (mini-batch mean)");
    return "ELBO with " + String.join(", ", parts) + " in the loss trained (the -ELBO reported is unweighted"
        + (k > 1 ? "; mean of " + k + " samples per example" : "") + ")";
  }

  private static String fmt(double v) { return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v); }

  private static final List<ReportedTerm> TERMS = List.of(new ReportedTerm("loss", "-ELBO", "neg_elbo", "negative ELBO"),
      new ReportedTerm("reconstruction", "rec", "reconstruction", "-E log p(x | z)"),
      new ReportedTerm("kl", "KL", "kl", "the KL terms: -ELBO less the reconstruction"));

  /** The weighted loss, reported when the KL terms are weighted. */
  public static final ReportedTerm WEIGHTED = new ReportedTerm("objective", "obj", "weighted_loss",
      "the loss trained: reconstruction + sum over latents of beta max(free_bits, batch-mean KL)");

  @Override public List<ReportedTerm> reported() { return TERMS; }

  @Override
  public List<ReportedTerm> reported(Settings s) {
    if (klWeight(s) == null) return TERMS;
    List<ReportedTerm> out = new ArrayList<>(TERMS);
    out.add(WEIGHTED);
    return out;
  }

  @Override
  public void lower(ObjectiveStep step) {
    Graph g = step.graph();
    Node loss = g.apply(new Affine(-1, 0), SourceRef.NONE, step.elbo());
    Node recon = g.apply(new Affine(-1, 0), SourceRef.NONE, step.likelihood());
    g.output("loss", loss);
    g.output("reconstruction", recon);
    g.output("kl", g.apply(new Binary(Binary.Kind.SUB), SourceRef.NONE, loss, recon));
    KlWeight w = klWeight(step.settings());
    Node trained = loss;
    if (w != null) {
      trained = recon;
      for (Map.Entry<String, Node> e : step.kl().entrySet()) {
        Node kl = weigh(g, w, e.getValue(), step.training());
        trained = g.apply(new Binary(Binary.Kind.ADD), SourceRef.NONE, trained, kl);
      }
      g.output(WEIGHTED.output(), trained);
    }
    g.setLoss(step.surrogate() == null ? trained : g.apply(new Binary(Binary.Kind.ADD), SourceRef.NONE, trained, step.surrogate()));
  }

  /**
   * beta(step) max(free_bits, batch mean of kl), per row; outside training beta is the schedule's
   * final value.
   */
  static Node weigh(Graph g, KlWeight w, Node kl, boolean training) {
    Node x = w.freeBits() > 0 ? g.apply(new FreeBits(w.freeBits()), SourceRef.NONE, kl) : kl;
    Schedule beta = training ? w.beta() : Schedule.fixed(w.beta().last());
    if (beta.isFixed()) return beta.initial() == 1.0 ? x : g.apply(new Affine(beta.initial(), 0), SourceRef.NONE, x);
    return g.apply(new ScheduledScale(beta), SourceRef.NONE, x);
  }
}
