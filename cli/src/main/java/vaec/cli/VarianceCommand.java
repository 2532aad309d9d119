package vaec.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import vaec.compiler.Compiler;
import vaec.compiler.SourceFile;
import vaec.compiler.ir.IrExpr;
import vaec.compiler.ir.Site;
import vaec.compiler.plan.EstimatorPlanner.Forced;
import vaec.compiler.plan.LatentPlan;
import vaec.runtime.UserError;
import vaec.runtime.checkpoint.CheckpointIO;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.train.GradientVariance;
import vaec.runtime.train.ModelState;
import vaec.stdlib.Catalog;
import vaec.stdlib.estimators.Enumeration;
import vaec.stdlib.estimators.Estimators;
import vaec.stdlib.estimators.GradientEstimator;
import vaec.stdlib.estimators.Setting;
import vaec.stdlib.estimators.Settings;

/**
 * {@code vaec variance FILE}: for every latent and every estimator that can serve it, the mean
 * and variance of the gradient with respect to that latent's guide parameters, at a checkpoint
 * (or the initial parameters), with the same batches and seeds for all.
 */
@Command(name = "variance", mixinStandardHelpOptions = true,
    description = "Compare the gradient variance of every applicable estimator for each latent.")
final class VarianceCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", description = "the .vae model file") Path file;
  @Option(names = "--checkpoint", paramLabel = "FILE", description = "parameters to measure at (default: the run's checkpoint if it exists, else the initial parameters)")
  Path checkpoint;
  @Option(names = "--steps", paramLabel = "N", defaultValue = "100", description = "gradient samples per estimator (default 100)") int steps;
  @Mixin TrainingOptions options;

  @Override
  public Integer call() {
    if (steps < 2) throw new UserError("--steps must be at least 2, got " + steps);
    SourceFile source = SourceFile.read(file);
    var base = Compiler.compile(source);
    CompiledModel m = ModelFiles.withConfig(base.compiled(), options.apply(base.compiled().config()));
    var data = ModelFiles.load(m, m.config());
    Map<String, float[]> start = startParameters(m, data.train().rows());
    System.out.printf(Locale.ROOT, "gradient of the %s w.r.t. each latent's guide parameters; %d steps of batch %d, %s%n%n",
        m.terms().get(0).meaning(), steps, m.config().batchFor(data.train().rows()), checkpointNote);
    table(System.out, source, base, m, data, start, steps);
    return 0;
  }

  /**
   * The table: for each latent whose guide reads a network, each estimator that can serve it,
   * measured from the parameters {@code start} ({@code base} is the model's compilation, {@code m}
   * the model with its settings); also the REPL's {@code variance}.
   */
  static void table(java.io.PrintStream out, SourceFile source, Compiler.Compilation base, CompiledModel m, vaec.runtime.data.DataSplit data,
                    Map<String, float[]> start, int steps) {
    out.printf(Locale.ROOT, "%-10s %-44s %14s %14s %10s%n", "latent", "estimator", "|mean|^2", "variance", "coords");
    for (LatentPlan lp : base.plan().latents()) {
      Set<String> nets = new LinkedHashSet<>();
      for (IrExpr e : lp.guide().args().values()) networksIn(e, nets);
      if (nets.isEmpty()) continue;
      for (Forced f : candidates(lp)) {
        Compiler.Compilation variant;
        try {
          variant = Compiler.compile(source, Catalog.standard(), Map.of(lp.latent().name(), f));
        } catch (IllegalArgumentException notHere) {
          out.printf(Locale.ROOT, "%-10s %-44s not applicable here: %s%n", lp.latent().name(), label(f), notHere.getMessage());
          continue;
        }
        CompiledModel vm = ModelFiles.withConfig(variant.compiled(), m.config());
        String z = lp.latent().name();
        GradientVariance.Result r = GradientVariance.measure(vm, start, data.train(), m.config().batch(), steps, m.config().seed(),
            name -> nets.stream().anyMatch(n -> name.startsWith(n + ".")), name -> name.startsWith(z + "."));
        out.printf(Locale.ROOT, "%-10s %-44s %14.6g %14.6g %10d%n", z, label(f), r.meanNormSquared(), r.totalVariance(),
            r.coordinates());
      }
    }
  }

  private String checkpointNote = "";

  private Map<String, float[]> startParameters(CompiledModel m, int trainRows) {
    Path p = checkpoint != null ? checkpoint : RunOutputs.checkpoint(Path.of("runs", m.name()));
    Map<String, float[]> start = new LinkedHashMap<>();
    if (checkpoint == null && !Files.exists(p)) {
      checkpointNote = "at the initial parameters (no checkpoint at " + p + ")";
      ModelState s = ModelState.fresh(m, trainRows);
      for (var e : s.params().layout()) start.put(e.name(), s.params().value(e.name()).dup().reshape(-1).toFloatVector());
      return start;
    }
    ModelState s = ModelState.restore(m, CheckpointIO.read(p), p.toString(), trainRows);
    checkpointNote = "at " + p + " (epoch " + s.epoch() + ")";
    for (var e : s.params().layout()) start.put(e.name(), s.params().value(e.name()).dup().reshape(-1).toFloatVector());
    return start;
  }

  /**
   * Every estimator that can serve the latent, once per value of each of its choice settings (the
   * score function once per baseline); enumeration only where the planner would enumerate.
   */
  private static List<Forced> candidates(LatentPlan lp) {
    List<Forced> out = new ArrayList<>();
    for (GradientEstimator e : Estimators.all()) {
      if (e.whyNot(lp.site()) != null) continue;
      if (e.branchesTheRest() && lp.site().guide().log2SupportSize(lp.site().width()) > Enumeration.LIMIT_LOG2) continue;
      List<Forced> variants = new ArrayList<>(List.of(new Forced(e, Settings.defaults(e))));
      for (Setting s : e.settings()) {
        if (!s.isChoice()) continue;
        List<Forced> next = new ArrayList<>();
        for (Forced f : variants) for (String v : s.names()) next.add(f.with(s.name(), v));
        variants = next;
      }
      out.addAll(variants);
    }
    return out;
  }

  private static String label(Forced f) {
    StringBuilder b = new StringBuilder(f.estimator().keyword());
    for (Setting s : f.estimator().settings()) if (s.isChoice()) b.append(", ").append(s.name()).append(' ').append(f.settings().choice(s.name()));
    return b.toString();
  }

  private static void networksIn(IrExpr e, Set<String> out) {
    if (e instanceof IrExpr.NetCall c) {
      out.add(c.network().name());
      networksIn(c.input(), out);
    } else if (e instanceof IrExpr.Fn f) networksIn(f.arg(), out);
    else if (e instanceof IrExpr.Arith a) {
      networksIn(a.left(), out);
      networksIn(a.right(), out);
    } else if (e instanceof IrExpr.Slice s) networksIn(s.target(), out);
    else if (e instanceof IrExpr.Concat c) c.parts().forEach(p -> networksIn(p, out));
  }
}
