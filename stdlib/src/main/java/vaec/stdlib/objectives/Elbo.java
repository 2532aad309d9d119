package vaec.stdlib.objectives;

import java.util.List;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.model.ReportedTerm;
import vaec.runtime.ops.Affine;
import vaec.runtime.ops.Binary;
import vaec.stdlib.estimators.Setting;
import vaec.stdlib.estimators.Settings;

/**
 * The evidence lower bound (Kingma and Welling 2014), with closed-form KL where the plan found
 * one, averaged over {@code samples} draws of the latents per example (the same bound with less
 * variance). Reports the negative ELBO, its reconstruction term -E log p(x | z) and the rest (the
 * KL terms).
 */
public final class Elbo extends Objective {
  @Override public String keyword() { return "elbo"; }

  @Override
  public List<Setting> settings() {
    return List.of(Setting.number("samples", 1.0, 1, false, 1024, true, "draws of the latents per example, averaged"));
  }

  @Override public int samples(Settings s) { return (int) s.number("samples"); }

  @Override
  public String describe(Settings s) {
    int k = samples(s);
    return "ELBO (negative ELBO minimized, nats per example" + (k > 1 ? "; mean of " + k + " samples per example" : "") + ")";
  }

  @Override
  public List<ReportedTerm> reported() {
    return List.of(new ReportedTerm("loss", "-ELBO", "neg_elbo", "negative ELBO"),
        new ReportedTerm("reconstruction", "rec", "reconstruction", "-E log p(x | z)"),
        new ReportedTerm("kl", "KL", "kl", "the KL terms: -ELBO less the reconstruction"));
  }

  @Override
  public void lower(ObjectiveStep step) {
    Graph g = step.graph();
    Node loss = g.apply(new Affine(-1, 0), SourceRef.NONE, step.elbo());
    Node recon = g.apply(new Affine(-1, 0), SourceRef.NONE, step.likelihood());
    g.output("loss", loss);
    g.output("reconstruction", recon);
    g.output("kl", g.apply(new Binary(Binary.Kind.SUB), SourceRef.NONE, loss, recon));
    g.setLoss(step.surrogate() == null ? loss : g.apply(new Binary(Binary.Kind.ADD), SourceRef.NONE, loss, step.surrogate()));
  }
}
