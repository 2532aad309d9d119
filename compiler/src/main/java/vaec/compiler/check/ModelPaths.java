package vaec.compiler.check;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import vaec.runtime.data.DataBinding;
import vaec.runtime.data.DataInput;
import vaec.runtime.data.NamedDatasets;
import vaec.runtime.model.TrainConfig;

/**
 * File paths written inside a model file are relative to the model file's folder, as a user who
 * runs {@code vaec run examples/m.vae} from anywhere expects; paths given on the command line stay
 * relative to the working directory. A path that names no file beside the model but does name one
 * from the working directory (models written before this rule) is kept as written: there is only
 * one candidate, so nothing can be mis-bound.
 */
public final class ModelPaths {
  private ModelPaths() {}

  /** {@code path} as the model file {@code modelFile} means it. */
  public static String resolve(String modelFile, String path) {
    // A bare word (mnist_digits, english_words) is a dataset's name, as the loader reads it.
    if (path == null || path.isEmpty() || NamedDatasets.names().contains(path) || !(path.contains("/") || path.contains("."))) return path;
    Path p;
    Path folder;
    try {
      p = Path.of(path);
      folder = Path.of(modelFile).getParent();
    } catch (InvalidPathException e) {
      return path;   // a name the file system cannot hold: the loader reports it as written
    }
    if (p.isAbsolute() || folder == null) return path;
    Path beside = folder.resolve(p).normalize();
    if (!Files.exists(beside) && Files.exists(p)) return path;
    return beside.toString();
  }

  /** The train block's data files resolved against the model file. */
  public static TrainConfig resolve(String modelFile, TrainConfig c) {
    TrainConfig out = c.withDataset(resolve(modelFile, c.dataset()));
    return c.testDataset() == null ? out : out.withTestDataset(resolve(modelFile, c.testDataset()));
  }

  /** Each data variable's own file ({@code from "FILE"}) resolved against the model file. */
  public static List<DataInput> resolve(String modelFile, List<DataInput> inputs) {
    return inputs.stream().map(x -> x.binding() instanceof DataBinding.File f
        ? x.withBinding(new DataBinding.File(resolve(modelFile, f.path()))) : x).toList();
  }
}
