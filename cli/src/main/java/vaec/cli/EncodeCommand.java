package vaec.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import vaec.runtime.UserError;
import vaec.runtime.data.CsvWriter;
import vaec.runtime.data.NpyWriter;
import vaec.runtime.data.DataSplit;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.train.Evaluator;
import vaec.runtime.train.ModelState;

/**
 * {@code vaec encode FILE}: every test example's guide mean (all latents side by side), with its
 * label when the dataset has labels, as CSV (a header z[0],...,label) or NPY (OUT.npy, float32
 * rows x latent width, and OUT-labels.npy, int32, one label per row).
 */
@Command(name = "encode", mixinStandardHelpOptions = true,
    description = "Write each test example's guide mean (and its label, when the dataset has labels) as CSV or NPY.")
final class EncodeCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", description = "the .vae model file") Path file;
  @Mixin CheckpointOptions checkpoint;
  @Mixin TrainingOptions options;
  @Option(names = {"-o", "--output"}, paramLabel = "OUT.csv|OUT.npy", description = "default: runs/MODEL_NAME/encoding.csv") Path output;

  @Override
  public Integer call() {
    CompiledModel base = ModelFiles.compile(file).compiled();
    ModelFiles.requireData(base, "encode", "there are no examples to encode");
    CompiledModel m = ModelFiles.withConfig(base, options.apply(base.config()));
    Path out = output != null ? output : Path.of("runs", m.name(), "encoding.csv");
    String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
    boolean npy = name.endsWith(".npy");
    if (!npy && !name.endsWith(".csv")) throw new UserError("-o " + out + ": the output is a .csv or a .npy file");
    ModelState state = checkpoint.load(m);
    DataSplit data = ModelFiles.load(m, m.config());
    Evaluator.Encoding enc = new Evaluator(state).encode(data.test());
    int[] labels = TestLabels.of(m, data.test());
    Path labelsOut = npy ? out.resolveSibling(out.getFileName().toString().replaceFirst("(?i)\\.npy$", "") + "-labels.npy") : null;
    if (npy) {
      NpyWriter.writeFloat32(out, enc.rows(), enc.columns().size());
      if (labels != null) NpyWriter.writeInt32(labelsOut, labels);
    } else if (labels != null) {
      CsvWriter.write(out, enc.columns(), enc.rows(), "label", labels);
    } else {
      CsvWriter.write(out, enc.columns(), enc.rows());
    }
    int width = enc.rows().length == 0 ? 0 : enc.rows()[0].length;
    System.out.printf(Locale.ROOT, "wrote the guide means of %,d test examples (%d columns: %s) to %s%s%n", enc.rows().length, width,
        String.join(", ", enc.latents()), out,
        labels == null ? " (the dataset has no labels)" : npy ? ", their labels to " + labelsOut : ", with their labels");
    return 0;
  }
}
