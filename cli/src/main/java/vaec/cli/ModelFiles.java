package vaec.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import vaec.compiler.Compiler;
import vaec.compiler.SourceFile;
import vaec.runtime.UserError;
import vaec.runtime.data.DataLoader;
import vaec.runtime.data.DataSplit;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.model.TrainConfig;

/** Shared steps of the commands: compile a model file, load and check its data. */
final class ModelFiles {
  private ModelFiles() {}

  static Compiler.Compilation compile(Path file) {
    return compile(file, null);
  }

  /**
   * The model with its train block's objective replaced by {@code objective} (the text of
   * {@code --objective}, parsed as the train block's objective value; null: as written).
   */
  static Compiler.Compilation compile(Path file, String objective) {
    if (!Files.exists(file)) throw new UserError("model file not found: " + file);
    if (objective == null) return Compiler.compile(SourceFile.read(file));
    return Compiler.compile(SourceFile.read(file), new SourceFile(OBJECTIVE_FLAG, objective));
  }

  /** The flag that replaces the train block's objective; its mistakes are reported against its value, under this name. */
  static final String OBJECTIVE_FLAG = "--objective";

  /** The model with the training section's settings replaced by {@code config}. */
  static CompiledModel withConfig(CompiledModel m, TrainConfig config) {
    return m.withConfig(config);
  }

  /**
   * The training and test data the config names: a named dataset, or a file (with a test file,
   * or else its last 10% held out), each data variable bound to its part and checked against its
   * declaration (see {@link DataLoader}).
   */
  static DataSplit load(CompiledModel m, TrainConfig c) {
    if (m.data().isEmpty() || c.dataFree()) return noData(m, c);
    return DataLoader.load(m.file(), m.data(), new DataLoader.Request(c.dataset(), c.testDataset(), c.dynamicBinarization(), c.seed()));
  }

  /** Refuses {@code vaec COMMAND} on a model without data, saying {@code why} and what to run instead. */
  static void requireData(CompiledModel m, String command, String why) {
    if (!m.data().isEmpty()) return;
    throw new UserError("vaec " + command + ": " + m.file() + " declares no data (dataset = none), so " + why
        + "; vaec run " + m.file() + " reports the fit (its -ELBO, and for an energy prior log Z, the KL estimate and density.png)");
  }

  /** Rows of the test split of a model without data: the draws its final -ELBO (KL) estimate averages. */
  static final int NO_DATA_TEST_ROWS = 10_000;

  /**
   * A model without data ({@code dataset = none}) trains on {@code steps} batches of noise per
   * epoch, and is tested on {@link #NO_DATA_TEST_ROWS} draws.
   */
  private static DataSplit noData(CompiledModel m, TrainConfig c) {
    if (!m.data().isEmpty()) {
      throw new UserError("--dataset none is for a model without data, but " + m.file() + " declares '" + m.data().get(0).name() + "'");
    }
    if (!c.dataFree()) {
      throw new UserError(m.file() + " declares no data, so it trains without a dataset (dataset = none), not on " + c.dataset());
    }
    return new DataSplit(vaec.runtime.data.BoundData.empty((int) Math.min(Integer.MAX_VALUE, (long) c.batch() * c.steps())),
        vaec.runtime.data.BoundData.empty(NO_DATA_TEST_ROWS));
  }
}
