package vaec.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import vaec.runtime.UserError;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.train.Evaluator;
import vaec.runtime.train.ModelState;

/**
 * {@code vaec eval FILE}: a checkpoint's objective terms on test data, the IWAE-k bound, each
 * latent's KL term and active units, and the importance-sampled log p(x).
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = "Print the test ELBO (the objective's terms), the IWAE bound at --iwae-k, the KL of each latent, "
        + "the active units of each real-valued or binary latent and an importance-sampled estimate of log p(x) for a checkpoint.")
final class EvalCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", description = "the .vae model file") Path file;
  @Mixin CheckpointOptions checkpoint;
  @Mixin TrainingOptions options;
  @Option(names = {"-k", "--samples"}, paramLabel = "K", description = "importance samples per example (default 1000)") Integer samples;
  @Option(names = "--objective", paramLabel = "OBJECTIVE",
      description = "evaluate under this objective instead of the train block's, written as there: iwae(samples = 5)") String objective;
  @Option(names = "--iwae-k", paramLabel = "K", description = "samples per example of the IWAE bound reported (default 50)") Integer iwaeK;

  @Override
  public Integer call() {
    var compilation = ModelFiles.compile(file, objective);
    CompiledModel base = compilation.compiled();
    ModelFiles.requireData(base, "eval", "there is no test data to evaluate on");
    CompiledModel m = ModelFiles.withConfig(base, options.apply(base.config()));
    int k = samples != null ? samples : m.config().evalSamples();
    if (k < 1) throw new UserError("--samples must be at least 1, got " + k);
    int iwae = EvalMetrics.iwaeK(iwaeK);
    ModelState state = checkpoint.load(m);
    var data = ModelFiles.load(m, m.config());
    Evaluator ev = new Evaluator(state);
    Evaluator.Terms e = ev.terms(data.test());
    if (!Double.isFinite(e.loss())) throw nonFinite(e.loss(), state, checkpoint.path(m));
    System.out.printf(Locale.ROOT, "checkpoint at epoch %d, step %d; %,d test examples of %s%n", state.epoch(), state.step(), data.test().rows(),
        m.config().dataset());
    for (String note : data.notes()) System.out.println(note);
    System.out.printf(Locale.ROOT, "test %s%n", e.describe());
    Map<String, ValueDomain> latentDomains = new LinkedHashMap<>();
    for (var z : compilation.model().latents()) latentDomains.put(z.name(), z.domain());
    for (String line : EvalMetrics.of(ev, data.test(), e, iwae, k, m.likelihoodLabel(), latentDomains).lines()) System.out.println(line);
    System.out.printf(Locale.ROOT, "test %s ~ %.3f nats per example (importance sampling, K = %d)%n", m.likelihoodLabel(),
        ev.logLikelihood(data.test(), k, null), k);
    return 0;
  }

  /**
   * The test objective came out NaN or infinite: an error (exit 1), never a number printed with
   * exit 0. Names the checkpoint's epoch and its parameter of largest magnitude, the usual cause
   * (a checkpoint edited or written elsewhere; training itself stops at the first non-finite value).
   */
  static UserError nonFinite(double loss, ModelState state, Path file) {
    String largest = "";
    double max = -1;
    for (var entry : state.params().layout()) {
      double m = state.params().value(entry.name()).amaxNumber().doubleValue();
      if (!(m <= max)) {
        max = m;
        largest = entry.name();
      }
    }
    return new UserError(String.format(Locale.ROOT,
        "%s: the test objective is %s with the parameters of this checkpoint (epoch %d, step %d): the evaluation overflowed. "
            + "Its parameter of largest magnitude is '%s' (%s); a checkpoint that training wrote has no such values, "
            + "as training stops at the first non-finite one", file, loss, state.epoch(), state.step(), largest,
        Double.isNaN(max) ? "NaN" : String.format(Locale.ROOT, "%.3g", max)));
  }
}
