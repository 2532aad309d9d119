package vaec.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jline.builtins.Completers;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;
import vaec.compiler.check.TrainSettings;
import vaec.stdlib.Catalog;
import vaec.stdlib.estimators.Estimators;
import vaec.stdlib.estimators.GradientEstimator;

/**
 * Tab completion: commands and statement keywords first on a line; after load, save, emit and
 * file-taking commands, file names; elsewhere the model's variables and networks, the catalog's
 * distributions, functions, network families, estimators, objectives and the train settings.
 */
final class ReplCompleter implements Completer {
  private static final Set<String> FILE_COMMANDS = Set.of("load", "save", "emit", "sample", "reconstruct", "loss");
  private final Repl repl;
  private final Completer files = new Completers.FileNameCompleter();

  ReplCompleter(Repl repl) { this.repl = repl; }

  /** The words offered at {@code wordIndex} of a line whose first word is {@code first}. */
  List<String> words(String first, int wordIndex) {
    Set<String> out = new LinkedHashSet<>();
    if (wordIndex == 0) {
      out.addAll(repl.commandNames());
      out.addAll(List.of("model", "data", "latent", "network", "prior", "guide", "likelihood", "exit"));
      return new ArrayList<>(out);
    }
    if (first.equals("help")) return repl.commandNames();
    if (first.equals("set") && wordIndex == 1) {
      out.addAll(TrainSettings.KEYS);
      out.addAll(List.of("lr", "preview", "inspect_rows"));
      return new ArrayList<>(out);
    }
    if (first.equals("train")) return List.of("epochs", "steps", "{");
    if (first.equals("inspect") && wordIndex == 1) out.addAll(List.of("guide", "prior", "kl", "split("));
    out.addAll(repl.declaredNames());
    Catalog c = Catalog.standard();
    out.addAll(c.distributionNames());
    out.addAll(c.functionNames());
    out.addAll(c.networkNames());
    out.addAll(c.objectiveNames());
    out.addAll(c.optimizerNames());
    out.addAll(c.activationNames());
    for (GradientEstimator e : Estimators.all()) out.add(e.keyword());
    out.addAll(List.of("using", "split", "concat", "real", "binary", "onehot", "in", "from", "activation", "output"));
    out.addAll(TrainSettings.KEYS);
    return new ArrayList<>(out);
  }

  @Override
  public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
    String first = line.words().isEmpty() ? "" : line.words().get(0);
    if (line.wordIndex() > 0 && FILE_COMMANDS.contains(first)) {
      files.complete(reader, line, candidates);
      return;
    }
    for (String w : words(first, line.wordIndex())) candidates.add(new Candidate(w));
  }
}
