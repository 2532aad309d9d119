package vaec.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

/**
 * {@code vaec sample FILE}: draw from the prior of a checkpoint and write the likelihood means of
 * the image variable. A conditional model's samples are conditioned: one grid row per class of a
 * one-hot conditioning input, or the values given with {@code --condition}.
 */
@Command(name = "sample", mixinStandardHelpOptions = true,
    description = "Draw samples from a trained model's prior and write them as a PNG grid (square data) or CSV.")
final class SampleCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", description = "the .vae model file") Path file;
  @Mixin CheckpointOptions checkpoint;
  @Option(names = {"-n", "--count"}, paramLabel = "N",
      description = "how many samples (default 64); with a grid row per condition, samples per row (default 8)") Integer count;
  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "PNG or CSV file (default: runs/MODEL_NAME/samples-SEED.png)")
  Path output;
  @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "which draws (default 1)") long seed;
  @Option(names = "--condition", paramLabel = "NAME=VALUE",
      description = "fix a conditioning input: a class (y=3) for a one-hot input, or a data file (y=FILE.npy); repeatable")
  List<String> conditions = new ArrayList<>();
  @Option(names = "--temperature", paramLabel = "T",
      description = "token models: sample each token from p^(1/T), renormalized (default 1)") Double temperature;
  @Option(names = "--greedy", description = "token models: take the most probable token at each step") boolean greedy;

  @Override
  public Integer call() {
    if (count != null && (count < 1 || count > 100_000)) throw new UserError("--count must be between 1 and 100000, got " + count);
    CompiledModel m = ModelFiles.compile(file).compiled();
    ModelFiles.requireData(m, "sample", "it generates no data");
    vaec.runtime.data.DataInput tokens = vaec.runtime.train.SequenceSampler.tokenVariable(m);
    if (tokens != null) return sampleTokens(m, tokens);
    if (temperature != null || greedy) throw new UserError("--temperature and --greedy apply to models of token sequences; " + file + " has none");
    Map<String, String> fixed = Conditions.parse(conditions);
    Pictures pic = Pictures.choose(m, null);
    boolean image = pic != null;
    // The format follows the name: a PNG grid needs square images, and any other name would get
    // PNG bytes, or CSV text under a .png name.
    if (output != null) {
      String name = output.getFileName().toString().toLowerCase(Locale.ROOT);
      boolean csv = name.endsWith(".csv");
      if (!csv && !name.endsWith(".png")) {
        throw new UserError("-o " + output + ": the output is a .png file (a grid of pictures) or a .csv file (one sample a row)");
      }
      if (!csv && !image) {
        throw new UserError("-o " + output + ": " + m.name() + "'s samples of " + Pictures.firstScored(m)
            + " are not square pictures, so they are written as CSV; name a .csv file");
      }
    }
    ModelState state = checkpoint.load(m);
    Evaluator ev = new Evaluator(state);
    Conditions.Grid grid = Conditions.build(m, ev.priorInputs(), fixed, count != null ? count : 8, count != null ? count : 64);
    if ((long) grid.samples() > 100_000) throw new UserError(grid.rows() + " grid rows of " + grid.perRow() + " samples are too many; lower -n");
    Map<String, float[][]> means = ev.samplePrior(grid.samples(), seed, grid.values());
    String shown = pic != null ? pic.variable() : Pictures.firstScored(m);
    float[][] rows = means.get(shown);
    Path out = output != null ? output : Path.of("runs", m.name(), "samples-" + seed + (image ? ".png" : ".csv"));
    try {
      if (out.getParent() != null) Files.createDirectories(out.getParent());
      if (image && !out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv")) {
        int columns = grid.rows() > 1 ? grid.perRow() : (int) Math.ceil(Math.sqrt(rows.length));
        ImageGrid.write(out, rows, pic.height(), pic.width(), columns, 2);
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
    if (grid.rows() > 1 || !grid.values().isEmpty()) {
      System.out.println("wrote " + grid.samples() + " samples of " + shown + " to " + out + ", " + grid.perRow() + " per "
          + (grid.rows() > 1 ? "row; rows: " : "condition: ") + String.join("; ", grid.rowLabels()));
    } else {
      System.out.println("wrote " + grid.samples() + " samples to " + out);
    }
    return 0;
  }

  /** Text samples of a token model: one sequence a line, by free-running decoding from the prior. */
  private Integer sampleTokens(CompiledModel m, vaec.runtime.data.DataInput x) {
    if (!conditions.isEmpty()) throw new UserError("--condition applies to models with conditioning inputs; " + file + " has none");
    if (temperature != null && greedy) throw new UserError("give --temperature or --greedy, not both");
    if (temperature != null && !(temperature > 0 && temperature <= 100)) {
      throw new UserError("--temperature must be a number above 0 (at most 100), got " + temperature);
    }
    int n = count != null ? count : 20;
    double t = greedy ? 0 : temperature != null ? temperature : 1.0;
    ModelState state = checkpoint.load(m);
    vaec.runtime.data.Vocabulary v = vaec.runtime.data.TokenData.vocabulary(m.file(), x, m.config().dataset(), m.config().testDataset());
    float[][] rows = vaec.runtime.train.SequenceSampler.samplePrior(state, x, n, v.size(), t, seed);
    StringBuilder b = new StringBuilder();
    for (float[] r : rows) b.append(v.decode(r, 0, r.length)).append('\n');
    if (output == null) {
      System.out.print(b);
      return 0;
    }
    try {
      if (output.getParent() != null) Files.createDirectories(output.getParent());
      Files.writeString(output, b.toString());
    } catch (IOException e) {
      throw new UserError("cannot write " + output + ": " + e.getMessage());
    }
    System.out.println("wrote " + n + " samples of " + x.name() + (greedy ? " (greedy)" : " (temperature " + t + ")") + " to " + output);
    return 0;
  }
}
