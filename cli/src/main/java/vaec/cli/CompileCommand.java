package vaec.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import vaec.compiler.Compiler;
import vaec.compiler.emit.GraphText;
import vaec.compiler.emit.Summary;
import vaec.runtime.UserError;
import vaec.runtime.graph.Graph;

/** {@code vaec compile FILE}: check the model, explain the plan, optionally write the graphs. */
@Command(name = "compile", mixinStandardHelpOptions = true,
    description = "Check a model, print its estimator plan and parameter counts, and optionally write its graphs.")
final class CompileCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", description = "the .vae model file") Path file;

  @Option(names = "--emit", paramLabel = "DIR",
      description = "write each graph (train, evaluate, log_weight, prior_sample, reconstruct, decode, and control_variates when there is one) as DIR/NAME.txt and Graphviz DIR/NAME.dot")
  Path emit;

  @Override
  public Integer call() {
    Compiler.Compilation c = ModelFiles.compile(file);
    System.out.print(Summary.of(c));
    if (emit != null) {
      var m = c.compiled();
      Map<String, Graph> graphs = new java.util.LinkedHashMap<>(Map.of("train", m.train(), "evaluate", m.evaluate(),
          "log_weight", m.logWeight(), "prior_sample", m.priorSample(), "reconstruct", m.reconstruct(), "decode", m.decode()));
      if (m.controlVariates() != null) graphs.put("control_variates", m.controlVariates());
      try {
        Files.createDirectories(emit);
        for (var e : graphs.entrySet()) {
          Files.writeString(emit.resolve(e.getKey() + ".txt"), GraphText.text(e.getKey(), e.getValue()));
          Files.writeString(emit.resolve(e.getKey() + ".dot"), GraphText.dot(e.getKey(), e.getValue()));
        }
      } catch (IOException e) {
        throw new UserError("cannot write graphs to " + emit + ": " + e.getMessage());
      }
      System.out.println("\nwrote the graphs as text and DOT to " + emit + " (render with: dot -Tpng " + emit.resolve("train.dot") + " -o train.png)");
    }
    return 0;
  }
}
