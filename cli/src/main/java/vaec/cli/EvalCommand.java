package vaec.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import vaec.runtime.UserError;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.train.Evaluator;
import vaec.runtime.train.ModelState;

/** {@code vaec eval FILE}: the ELBO and importance-sampled log p(x) of a checkpoint on test data. */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = "Print the test ELBO and an importance-sampled estimate of log p(x) for a checkpoint.")
final class EvalCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", description = "the .vae model file") Path file;
  @Mixin CheckpointOptions checkpoint;
  @Mixin TrainingOptions options;
  @Option(names = {"-k", "--samples"}, paramLabel = "K", description = "importance samples per example (default 1000)") Integer samples;

  @Override
  public Integer call() {
    CompiledModel base = ModelFiles.compile(file).compiled();
    CompiledModel m = ModelFiles.withConfig(base, options.apply(base.config()));
    int k = samples != null ? samples : m.config().evalSamples();
    if (k < 1) throw new UserError("--samples must be at least 1, got " + k);
    ModelState state = checkpoint.load(m);
    var data = ModelFiles.load(m, m.config());
    Evaluator ev = new Evaluator(state);
    Evaluator.Terms e = ev.terms(data.test());
    System.out.printf(Locale.ROOT, "checkpoint at epoch %d, step %d; %,d test examples of %s%n", state.epoch(), state.step(), data.test().rows(),
        m.config().dataset());
    System.out.printf(Locale.ROOT, "test %s%n", e.describe());
    System.out.printf(Locale.ROOT, "test %s ~ %.3f nats per example (importance sampling, K = %d)%n", m.likelihoodLabel(),
        ev.logLikelihood(data.test(), k, null), k);
    return 0;
  }
}
