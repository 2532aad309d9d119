package vaec.cli;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vaec repl [FILE]}: the interactive workbench. On a terminal it edits lines with JLine
 * (history across sessions, completion, multi-line blocks, Ctrl-C stopping training); from a pipe
 * it reads the same commands, echoes each after the prompt, and exits 1 when any of them failed.
 */
@Command(name = "repl", mixinStandardHelpOptions = true,
    description = "An interactive workbench: edit a model statement by statement, train, evaluate, inspect and compare snapshots. "
        + "Reads commands from a pipe too (vaec repl < session.txt); type help for the commands.")
final class ReplCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", arity = "0..1", description = "a .vae model file to load first") Path file;
  @Option(names = "--history", paramLabel = "FILE", description = "the line history kept across sessions (default ~/.vaec_history)")
  Path history;

  @Override
  public Integer call() throws IOException {
    boolean tty = System.console() != null;
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    if (!tty) {
      Repl repl = new Repl(out, false);
      // Ctrl-C stops a training run or an estimate as on a terminal; otherwise it ends the script.
      try {
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), sig -> {
          if (!repl.interrupt()) System.exit(130);
        });
      } catch (IllegalArgumentException | UnsupportedOperationException noSignals) {
        // Not on this platform: Ctrl-C ends the JVM as usual.
      }
      return piped(System.in, out, file, repl);
    }
    try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
      Path h = history != null ? history : Path.of(System.getProperty("user.home"), ".vaec_history");
      return interactive(terminal, h, file, new PrintStream(terminal.output(), true, StandardCharsets.UTF_8));
    }
  }

  /** Reads commands from {@code in} without line editing; 0 when all succeeded, 1 otherwise. */
  static int piped(InputStream in, PrintStream out, Path file) throws IOException {
    return piped(in, out, file, new Repl(out, false));
  }

  static int piped(InputStream in, PrintStream out, Path file, Repl repl) throws IOException {
    boolean ok = file == null || repl.execute("load " + file, 0);
    BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    ReplInput input = new ReplInput();
    String line;
    int n = 0;
    while ((line = r.readLine()) != null) {
      n++;
      out.println((input.isEmpty() ? repl.prompt() : "... ") + line);
      if (!input.add(line, n)) continue;
      String entry = input.take();
      if (Repl.isQuit(entry)) break;
      ok &= repl.execute(entry, input.firstLine());
    }
    if (!input.isEmpty()) {
      out.println("error: the input ended inside a block (an unclosed { or ( from line " + input.firstLine() + ")");
      ok = false;
    }
    out.flush();
    return ok ? 0 : 1;
  }

  /** The line editor on {@code terminal}; returns 0 (a failed command is shown and the session goes on). */
  static int interactive(Terminal terminal, Path history, Path file, PrintStream out) {
    return interactive(terminal, history, file, out, new Repl(out, terminal.getWidth() >= 60 && !Terminal.TYPE_DUMB.equals(terminal.getType())));
  }

  /** The line editor driving {@code repl} (whose output goes to {@code out}). */
  static int interactive(Terminal terminal, Path history, Path file, PrintStream out, Repl repl) {
    terminal.handle(Terminal.Signal.INT, s -> repl.interrupt());
    LineReader reader = LineReaderBuilder.builder().terminal(terminal).appName("vaec")
        .completer(new ReplCompleter(repl))
        .parser(new ReplParser())
        .variable(LineReader.HISTORY_FILE, history)
        .variable(LineReader.SECONDARY_PROMPT_PATTERN, "%P... ")
        .build();
    if (file != null) repl.execute("load " + file, 0);
    else out.println("vaec repl: type help for the commands, quit to leave");
    int lineNo = 0;
    while (true) {
      String entry;
      try {
        entry = reader.readLine(repl.prompt());
      } catch (UserInterruptException e) {
        continue;   // Ctrl-C at the prompt: a fresh line
      } catch (EndOfFileException e) {
        break;
      }
      int first = lineNo + 1;
      lineNo += entry.split("\n", -1).length;
      if (Repl.isQuit(entry)) break;
      repl.execute(entry, first);
    }
    try {
      reader.getHistory().save();
    } catch (IOException e) {
      out.println("could not save the history to " + history + ": " + e.getMessage());
    }
    return 0;
  }
}
