package vaec.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import vaec.cli.pictures.ImageGrid;
import vaec.runtime.UserError;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.train.Evaluator;
import vaec.runtime.train.ModelState;

/** {@code vaec sample FILE}: draw from the prior of a checkpoint and write the likelihood means. */
@Command(name = "sample", mixinStandardHelpOptions = true,
    description = "Draw samples from a trained model's prior and write them as a PNG grid (square data) or CSV.")
final class SampleCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", description = "the .vae model file") Path file;
  @Mixin CheckpointOptions checkpoint;
  @Option(names = {"-n", "--count"}, paramLabel = "N", defaultValue = "64", description = "how many samples (default 64)") int count;
  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "PNG or CSV file (default: runs/MODEL_NAME/samples-SEED.png)")
  Path output;
  @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "which draws (default 1)") long seed;

  @Override
  public Integer call() {
    if (count < 1 || count > 100_000) throw new UserError("--count must be between 1 and 100000, got " + count);
    CompiledModel m = ModelFiles.compile(file).compiled();
    ModelState state = checkpoint.load(m);
    float[][] rows = new Evaluator(state).samplePrior(count, seed);
    int side = (int) Math.round(Math.sqrt(m.dataWidth()));
    boolean image = side * side == m.dataWidth();
    Path out = output != null ? output : Path.of("runs", m.name(), "samples-" + seed + (image ? ".png" : ".csv"));
    try {
      if (out.getParent() != null) Files.createDirectories(out.getParent());
      if (image && !out.toString().endsWith(".csv")) {
        ImageGrid.write(out, rows, side, side, (int) Math.ceil(Math.sqrt(count)), 2);
      } else {
        StringBuilder b = new StringBuilder();
        for (float[] r : rows) {
          for (int j = 0; j < r.length; j++) b.append(j == 0 ? "" : ",").append(r[j]);
          b.append('\n');
        }
        Files.writeString(out, b.toString());
      }
    } catch (IOException e) {
      throw new UserError("cannot write " + out + ": " + e.getMessage());
    }
    System.out.println("wrote " + count + " samples to " + out);
    return 0;
  }
}
