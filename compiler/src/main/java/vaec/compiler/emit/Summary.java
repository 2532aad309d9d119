package vaec.compiler.emit;

import java.util.Locale;
import vaec.compiler.Compiler.Compilation;
import vaec.compiler.ir.Site;
import vaec.compiler.ir.Variable;
import vaec.compiler.plan.LatentPlan;
import vaec.runtime.model.TrainConfig;
import vaec.stdlib.networks.NetworkSpec;

/** What {@code vaec compile} prints: the model as the compiler understood it, and its decisions. */
public final class Summary {
  private Summary() {}

  public static String of(Compilation c) {
    StringBuilder b = new StringBuilder();
    var m = c.model();
    b.append("model ").append(m.name()).append("  (").append(c.source().name()).append(")\n\n");
    b.append("data\n");
    var inputs = c.compiled().data();
    var bindings = vaec.compiler.check.DataBindings.describe(inputs, c.compiled().config());
    for (int i = 0; i < inputs.size(); i++) {
      var x = inputs.get(i);
      Site s = m.likelihood().stream().filter(l -> l.variable().equals(x.name())).findFirst().orElse(null);
      String role = s != null ? "likelihood " + site(s) : "conditioning input (read, not scored)";
      b.append(String.format(Locale.ROOT, "  %-10s %-26s %s%n", x.name(), x.type(), role));
      b.append(String.format(Locale.ROOT, "  %-10s %-26s %s%n", "", "", bindings.get(i)));
    }
    if (inputs.isEmpty()) {
      var cfg = c.compiled().config();
      b.append(String.format(Locale.ROOT, "  none: dataset = none, the guide is fitted to the prior alone (%d steps of %d draws per epoch)%n",
          cfg.steps(), cfg.batch()));
    }
    b.append("\nlatents\n");
    for (LatentPlan lp : c.plan().latents()) {
      Variable z = lp.latent();
      b.append(String.format(Locale.ROOT, "  %-10s %s%n", z.name(), z.declaration().replaceFirst("^latent \\w+ : ", "")));
      b.append(String.format(Locale.ROOT, "    prior      %s%n", site(lp.prior())));
      b.append(String.format(Locale.ROOT, "    guide      %s%n", site(lp.guide())));
      b.append(String.format(Locale.ROOT, "    estimator  %s%n", lp.estimatorReason()));
      b.append(String.format(Locale.ROOT, "    KL term    %s%n", lp.klReason()));
    }
    b.append("\nnetworks\n");
    long total = 0;
    for (NetworkSpec n : m.networks().values()) {
      b.append(String.format(Locale.ROOT, "  %-10s %-4s %-36s %,12d parameters%n", n.name(), n.family(), n.architecture(), n.parameterCount()));
      total += n.parameterCount();
    }
    for (Site q : m.guide()) {   // a guide family's own global parameters (a flow's)
      long own = 0;
      for (var p : q.family().params(q.variable())) {
        long size = 1;
        for (long d : p.shape()) size *= d;
        own += size;
      }
      if (own == 0) continue;
      b.append(String.format(Locale.ROOT, "  %-10s %-41s %,12d parameters%n", q.variable(), q.family().name() + " (guide family)", own));
      total += own;
    }
    b.append(String.format(Locale.ROOT, "  %-52s %,12d parameters%n", "total", total));
    TrainConfig t = c.compiled().config();
    b.append(String.format(Locale.ROOT, "\nmemory\n  %s%n", vaec.runtime.model.MemoryEstimate.of(c.compiled()).describe()));
    b.append("\ntraining\n");
    b.append(String.format(Locale.ROOT, "  objective %s; optimizer %s; batch %d; epochs %d; seed %d%n",
        c.plan().objective().describe(), t.optimizer(), t.batch(), t.epochs(), t.seed()));
    b.append(String.format(Locale.ROOT, "  dataset %s%s%s%n", t.dataset(), t.testDataset() == null ? "" : ", test " + t.testDataset(),
        t.dynamicBinarization() ? ", dynamically binarized" : ""));
    b.append(String.format(Locale.ROOT, "\ngraphs (nodes): train %d, evaluate %d, log-weight %d, prior sample %d, reconstruct %d%s%n",
        c.compiled().train().nodes().size(), c.compiled().evaluate().nodes().size(), c.compiled().logWeight().nodes().size(),
        c.compiled().priorSample().nodes().size(), c.compiled().reconstruct().nodes().size(),
        c.compiled().controlVariates() == null ? "" : ", control variates " + c.compiled().controlVariates().nodes().size()));
    return b.toString();
  }

  private static String site(Site s) {
    return s.family().describeSite(s.args().keySet()) + "   line " + s.span().line();
  }
}
