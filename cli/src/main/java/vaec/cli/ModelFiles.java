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
    return DataLoader.load(m.file(), m.data(), new DataLoader.Request(c.dataset(), c.testDataset(), c.dynamicBinarization(), c.seed()));
  }
}
