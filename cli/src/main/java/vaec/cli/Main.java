package vaec.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import vaec.runtime.UserError;

/**
 * The {@code vaec} command. User mistakes ({@link UserError}) print their message and exit 1;
 * bad flags print the usage and exit 2; anything else is our bug and prints a stack trace.
 */
@Command(name = "vaec", mixinStandardHelpOptions = true, version = "vaec 0.1.0",
    description = "Compile, train and evaluate variational autoencoders declared in .vae files.",
    subcommands = {CompileCommand.class, RunCommand.class, EvalCommand.class, SampleCommand.class, EncodeCommand.class, VarianceCommand.class, ReplCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command: compile, run, eval, sample, encode, variance or repl");
  }

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line and returns the exit status (tests call this directly). */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    return execute(args, out, err, System.getenv());
  }

  /** As {@link #execute(String[], PrintWriter, PrintWriter)}, with the VAEC_* settings read from {@code env}. */
  static int execute(String[] args, PrintWriter out, PrintWriter err, java.util.Map<String, String> env) {
    CommandLine cl = new CommandLine(new Main());
    // An empty path ("--out ''", a variable that expanded to nothing) is the working directory to
    // Path.of: a run wrote its checkpoint and pictures there, and --emit its graphs. Every path
    // flag and argument is therefore refused when empty, as a bad flag.
    cl.registerConverter(java.nio.file.Path.class, s -> {
      if (s.isBlank()) throw new CommandLine.TypeConversionException("the path is empty; name a file or folder");
      return java.nio.file.Path.of(s);
    });
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      if (ex instanceof UserError) {
        err.println(ex.getMessage());
        err.flush();
        return 1;
      }
      String memory = vaec.runtime.model.MemoryEstimate.allocationFailure(ex);
      if (memory != null) {
        err.println(memory);
        err.flush();
        return 1;
      }
      err.println("vaec: internal error (a bug in vaec; please report it with this trace):");
      ex.printStackTrace(err);
      err.flush();
      return 70;
    });
    // The VAEC_* settings are checked before any command reads a model or data (a mistyped value
    // would otherwise stop a run after its data load, or, once, be taken silently as a mode).
    try {
      vaec.runtime.EnvironmentSettings.check(env);
    } catch (UserError e) {
      err.println(e.getMessage());
      err.flush();
      return 1;
    }
    return cl.execute(args);
  }
}
