package vaec.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import vaec.runtime.UserError;
import vaec.runtime.model.TrainConfig;
import vaec.runtime.optim.OptimizerSpec;

/**
 * The flags that override a model's train section; shared by run, eval and variance. Each
 * command uses only some of them, and refuses the others instead of ignoring them.
 */
final class TrainingOptions {
  @Spec(Spec.Target.MIXEE) CommandSpec command;

  @Option(names = "--dataset", paramLabel = "NAME|FILE", description = "mnist_digits, fashion_mnist, or an IDX/CSV/NPY file")
  String dataset;

  @Option(names = "--test-dataset", paramLabel = "FILE", description = "held-out data file (default: the last 10%% of --dataset)")
  String testDataset;

  @Option(names = "--epochs", paramLabel = "N", description = "run only") Integer epochs;
  @Option(names = "--batch", paramLabel = "N", description = "run and variance") Integer batch;
  @Option(names = "--optimizer", paramLabel = "adam|sgd", description = "run only; switching keeps the learning rate") String optimizer;
  @Option(names = "--lr", paramLabel = "RATE", description = "learning rate (run only)") Double lr;
  @Option(names = "--beta1", paramLabel = "B", description = "Adam's first-moment decay, in [0, 1) (run only)") Double beta1;
  @Option(names = "--beta2", paramLabel = "B", description = "Adam's second-moment decay, in [0, 1) (run only)") Double beta2;
  @Option(names = "--eps", paramLabel = "E", description = "Adam's epsilon, positive (run only)") Double eps;
  @Option(names = "--seed", paramLabel = "N") Long seed;
  @Option(names = "--binarize", paramLabel = "dynamic|none", description = "dynamic binarization of [0,1] data for binary likelihoods")
  String binarize;
  @Option(names = "--eval-samples", paramLabel = "K", description = "importance samples for the log p(x) estimate (default 1000; run and eval)")
  Integer evalSamples;

  TrainConfig apply(TrainConfig c) {
    refuseUnused();
    // An empty name was read as the working directory: " is a directory, not a data file".
    for (String[] f : new String[][] {{"--dataset", dataset}, {"--test-dataset", testDataset}}) {
      if (f[1] != null && f[1].isBlank()) {
        String message = "Invalid value for option '" + f[0] + "': it is empty; name a dataset (mnist_digits, fashion_mnist) or a data file";
        if (command == null) throw new UserError(message);
        throw new picocli.CommandLine.ParameterException(command.commandLine(), message);
      }
    }
    if (dataset != null) c = c.withDataset(dataset);
    if (testDataset != null) c = c.withTestDataset(testDataset);
    if (epochs != null) c = c.withEpochs(atLeast("--epochs", epochs, 0));
    if (batch != null) c = c.withBatch(atLeast("--batch", batch, 1));
    OptimizerSpec o = c.optimizer();
    if (optimizer != null) {
      String name = optimizer.toLowerCase(Locale.ROOT);
      if (name.equals(OptimizerSpec.SGD)) o = OptimizerSpec.sgd(o.lr());
      else if (name.equals(OptimizerSpec.ADAM)) o = o.name().equals(OptimizerSpec.ADAM) ? o : OptimizerSpec.adam().with("lr", o.lr());
      else throw new UserError("--optimizer must be adam or sgd, got '" + optimizer + "'");
    }
    o = setting(o, "lr", lr);
    o = setting(o, "beta1", beta1);
    o = setting(o, "beta2", beta2);
    o = setting(o, "eps", eps);
    c = c.withOptimizer(o);
    if (seed != null) c = c.withSeed(seed);
    if (binarize != null) {
      if (!binarize.equals("dynamic") && !binarize.equals("none")) throw new UserError("--binarize must be dynamic or none, got '" + binarize + "'");
      c = c.withBinarization(binarize.equals("dynamic"));
    }
    if (evalSamples != null) c = c.withEvalSamples(atLeast("--eval-samples", evalSamples, 1));
    return c;
  }

  private static OptimizerSpec setting(OptimizerSpec o, String key, Double value) {
    if (value == null) return o;
    if (!o.takes(key)) {
      throw new UserError("--" + key + " is a setting of Adam, but the optimizer is SGD (it takes only --lr); add --optimizer adam to switch");
    }
    String problem = OptimizerSpec.problem(key, value);
    if (problem != null) throw new UserError("--" + problem);
    return o.with(key, value);
  }

  /** The flags a command reads; the others would be silently ignored, so they are refused. */
  private void refuseUnused() {
    String name = command == null ? "run" : command.name();
    List<String> unused = new ArrayList<>();
    boolean trains = name.equals("run");
    if (!trains) {
      if (epochs != null) unused.add("--epochs");
      if (optimizer != null) unused.add("--optimizer");
      if (lr != null) unused.add("--lr");
      if (beta1 != null) unused.add("--beta1");
      if (beta2 != null) unused.add("--beta2");
      if (eps != null) unused.add("--eps");
    }
    // encode runs the guide's means in passes sized by the model, not by the batch, and draws no
    // importance samples.
    if ((name.equals("eval") || name.equals("encode")) && batch != null) unused.add("--batch");
    if ((name.equals("variance") || name.equals("encode")) && evalSamples != null) unused.add("--eval-samples");
    if (!unused.isEmpty()) {
      String first = unused.get(0);
      String where = first.equals("--batch") ? "vaec run and vaec variance" : first.equals("--eval-samples") ? "vaec run and vaec eval" : "vaec run";
      throw new UserError(String.join(", ", unused) + (unused.size() == 1 ? " has" : " have") + " no effect on vaec " + name
          + " (" + first + " applies to " + where + ")");
    }
  }

  private static int atLeast(String flag, int v, int min) {
    if (v < min) throw new UserError(flag + " must be at least " + min + ", got " + v);
    return v;
  }
}
