package vaec.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntConsumer;
import vaec.cli.pictures.ImageGrid;
import vaec.compiler.CompileError;
import vaec.compiler.Compiler;
import vaec.compiler.SourceFile;
import vaec.compiler.Suggest;
import vaec.compiler.emit.GraphText;
import vaec.compiler.emit.Summary;
import vaec.compiler.ir.IrExpr;
import vaec.compiler.ir.Site;
import vaec.compiler.plan.LatentPlan;
import vaec.runtime.UserError;
import vaec.runtime.checkpoint.Checkpoint;
import vaec.runtime.checkpoint.CheckpointIO;
import vaec.runtime.data.BoundData;
import vaec.runtime.data.DataSplit;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.graph.Graph;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.train.Evaluator;
import vaec.runtime.train.ModelState;
import vaec.runtime.train.Trainer;
import vaec.runtime.train.TrainingListener;

/**
 * One REPL session: the model being edited, the compiled model in use, its training state, data,
 * loss history and snapshots, and the commands that act on them. Input comes as whole entries
 * (a command, or statements with their blocks closed) with the REPL line they start on; each
 * entry either succeeds or prints its error and leaves the state as it was.
 */
final class Repl {
  /** A command: name, argument synopsis, one-line description, and what it does. */
  private record Command(String name, String args, String help, Action action) {}

  @FunctionalInterface
  private interface Action {
    void run(String args, int line, int column);
  }

  /** A named snapshot: the model text, the training state and the numbers known when it was taken. */
  private record Snapshot(String name, ReplModel model, String text, Checkpoint state, Map<String, String> metrics, List<Double> losses,
                          List<double[]> tests) {}

  private final PrintStream out;
  private final Map<String, Command> commands = new LinkedHashMap<>();
  private final Path work;

  /** The statements as edited; {@link #inUse} is the last version that compiled. */
  private ReplModel edited = new ReplModel();
  private ReplModel inUse;
  private Compiler.Compilation compilation;
  private ModelState state;
  private DataSplit data;
  private String dataKey;
  /** The training loss of every step that led to the current state, in order, across model changes (a revert goes back too). */
  private final List<Double> stepLosses = new ArrayList<>();
  /** Each finished epoch's test loss, with the number of steps in {@link #stepLosses} when it finished. */
  private final List<double[]> epochTests = new ArrayList<>();
  /** Numbers of the last evaluation of the current state (cleared when the state changes). */
  private final Map<String, String> lastEval = new LinkedHashMap<>();
  private final Map<String, Snapshot> snapshots = new LinkedHashMap<>();
  private boolean preview;
  private int inspectRows = 100;

  private volatile Trainer trainer;
  private volatile boolean interrupted;
  /** Called after every training step (tests use it to interrupt at a known step). */
  IntConsumer afterStep = s -> {};
  /** Called after every pass of the log p(x) estimate with the examples done (tests use it to interrupt). */
  IntConsumer duringEstimate = n -> {};

  Repl(PrintStream out, boolean preview) {
    this.out = out;
    this.preview = preview;
    try {
      this.work = Files.createTempDirectory("vaec-repl");
      this.work.toFile().deleteOnExit();
      this.work.resolve("autosave.vaeckpt").toFile().deleteOnExit();
    } catch (IOException e) {
      throw new UserError("cannot create a temporary folder for the session: " + e.getMessage());
    }
    add("help", "[COMMAND]", "list the commands, or describe one", this::help);
    add("load", "FILE", "load a model file (.vae), replacing the model; or a checkpoint (.vaeckpt) into the current model", this::load);
    add("show", "[NAME]", "print the model text, or the statements that define NAME (a variable, network, train, model)", this::show);
    add("drop", "KIND NAME", "remove a statement: drop network classifier, drop guide z, drop train", this::drop);
    add("discard", "", "throw away edits that do not compile; go back to the model in use", (a, l, c) -> discard());
    add("plan", "", "the compiler's summary: latents, estimators and KL terms, networks, training settings", (a, l, c) -> plan());
    add("train", "[N [epochs|steps]]", "train N epochs (default 1; an epoch stopped partway counts as one) or N steps; Ctrl-C stops after the current step", this::train);
    add("eval", "[K]", "test ELBO terms, IWAE bound, KL per latent, active units and log p(x) with K importance samples "
        + "(default: the train block's eval_samples; Ctrl-C stops the estimate)", this::eval);
    add("sample", "[N] [FILE.png]", "N draws from the prior as a PNG grid (default 64, runs/MODEL/repl-samples.png)", this::sample);
    add("reconstruct", "[N] [FILE.png]", "N test examples beside their reconstructions (default 16)", this::reconstruct);
    add("inspect", "EXPR | split(EXPR) | guide Z | prior Z | kl", "evaluate on the first test examples: shape, mean, std, min, max, first values",
        this::inspect);
    add("variance", "[STEPS]", "gradient variance of every estimator that can serve each latent, at the current parameters", this::variance);
    add("set", "[SETTING VALUE]", "change a train setting (dataset, objective, optimizer, lr, batch, epochs, seed, binarize, eval_samples) "
        + "or a REPL setting (preview on|off, inspect_rows N); without arguments, list them", this::set);
    add("loss", "[FILE.png]", "the training loss of every step as a sparkline; with FILE, also a chart of it and of each epoch's test loss", this::loss);
    add("save", "FILE", "write the model text (FILE.vae) or a checkpoint of the parameters (any other name)", this::save);
    add("emit", "DIR", "write the graphs as text and Graphviz DOT into DIR", this::emit);
    add("snapshot", "NAME", "remember the model text, parameters and latest numbers under NAME", this::snapshot);
    add("compare", "[NAME...]", "the snapshots' numbers side by side (default: all of them)", this::compare);
    add("revert", "NAME", "go back to a snapshot's model and parameters", this::revert);
    add("reset", "", "initialize the parameters afresh (the model stays)", (a, l, c) -> reset());
    add("quit", "", "leave the REPL (also: exit, Ctrl-D)", (a, l, c) -> {});
  }

  private void add(String name, String args, String help, Action action) {
    commands.put(name, new Command(name, args, help, action));
  }

  List<String> commandNames() { return new ArrayList<>(commands.keySet()); }

  /** Names for completion: declared variables and networks of the model being edited. */
  List<String> declaredNames() { return edited.declaredNames(); }

  String prompt() {
    String name = compilation != null ? compilation.compiled().name() : "vaec";
    return name + (inUse != null && edited != inUse ? "*" : "") + "> ";
  }

  /** Whether {@code input} leaves the REPL. */
  static boolean isQuit(String input) {
    String s = input.strip();
    return s.equals("quit") || s.equals("exit");
  }

  /** Runs one entry (a command, or statements) written from REPL line {@code line}; false when it failed. */
  boolean execute(String input, int line) {
    // Leading blank and comment lines are skipped (the entry's line number moves with them).
    while (true) {
      int nl = input.indexOf('\n');
      String first = nl < 0 ? input : input.substring(0, nl);
      if (!(first.isBlank() || first.strip().startsWith("//"))) break;
      if (nl < 0) return true;
      input = input.substring(nl + 1);
      line++;
    }
    String s = input.strip();
    try {
      dispatch(input, line);
      return true;
    } catch (CompileError e) {
      out.println(e.getMessage());
    } catch (UserError e) {
      String m = e.getMessage();
      out.println(m.matches("(?s)^\\S+:\\d+:\\d+: error: .*") ? m : "error: " + m);
    } catch (RuntimeException | OutOfMemoryError | StackOverflowError | AssertionError | LinkageError e) {
      String memory = vaec.runtime.model.MemoryEstimate.allocationFailure(e);
      out.println("error: " + (memory != null ? memory : internalError(s, e)));
    }
    out.flush();
    return false;
  }

  /** Internal errors written to a file this session, numbered from 1. */
  private int internalErrors;

  /**
   * A bug of vaec met by one entry: one short paragraph naming the entry and the exception, with
   * the full trace written to a file of the session's folder (printed too when it cannot be
   * written). The session goes on with its model and parameters (train puts the parameters back
   * on any failure).
   */
  private String internalError(String entry, Throwable e) {
    String command = entry.split("\n", 2)[0].strip();
    if (entry.contains("\n")) command += " ...";
    String where;
    try {
      Path trace = work.resolve("internal-error-" + ++internalErrors + ".txt");
      java.io.StringWriter w = new java.io.StringWriter();
      w.write("vaec repl: internal error while running: " + entry.strip() + "\n");
      e.printStackTrace(new java.io.PrintWriter(w, true));
      Files.writeString(trace, w.toString());
      where = "the full trace is in " + trace;
    } catch (IOException | RuntimeException notWritten) {
      java.io.StringWriter w = new java.io.StringWriter();
      e.printStackTrace(new java.io.PrintWriter(w, true));
      where = "the full trace (it could not be written to a file: " + notWritten.getMessage() + "):\n" + w;
    }
    return "internal error of vaec (a bug, not a mistake of yours) in '" + command + "': " + e + "\n"
        + where + "; please report it with the trace.\nthe session goes on";
  }

  private static final List<String> STATEMENT_WORDS = List.of("model", "data", "latent", "network", "prior", "guide", "likelihood");

  /** The first line of the entry being run, for diagnostics about a command's argument. */
  private String currentLine = "";

  private void dispatch(String input, int line) {
    currentLine = input.split("\n", 2)[0];
    String s = input.strip();
    int lead = input.indexOf(s.charAt(0));
    String word = s.split("[\\s{]", 2)[0];
    boolean trainBlock = word.equals("train") && s.substring(5).strip().startsWith("{");
    if (STATEMENT_WORDS.contains(word) || trainBlock) {
      statements(input, line);
      return;
    }
    Command c = commands.get(word);
    if (c == null) {
      if (word.equals("exit")) return;
      List<String> known = new ArrayList<>(commands.keySet());
      String hint = Suggest.didYouMean(word, known);
      throw new UserError("unknown command '" + word + "'" + (hint != null && hint.startsWith("did") ? "; " + hint : "")
          + " (type help for the list; statements start with " + String.join(", ", STATEMENT_WORDS) + " or train {)");
    }
    String args = s.substring(word.length()).replaceFirst("(^|\\s)//.*$", "").strip();   // a trailing comment
    int column = lead + 1 + s.indexOf(args.isEmpty() ? word : args, word.length());
    c.action().run(args, line, args.isEmpty() ? lead + 1 : column);
  }

  // ------------------------------------------------------------------ model editing

  private void statements(String input, int line) {
    List<ReplModel.Entry> entries = ReplModel.parse(input, "repl", line);
    List<String> replaced = new ArrayList<>();
    ReplModel next = edited.with(entries, replaced);
    if (!replaced.isEmpty()) out.println("replaced " + String.join("; ", replaced));
    adopt(next, "repl");
  }

  private void load(String args, int line, int column) {
    if (args.isEmpty()) throw new UserError("load needs a file: load examples/vae.vae, or load FILE.vaeckpt");
    Path p = Path.of(unquote(args));
    if (!Files.exists(p)) throw new UserError("file not found: " + p);
    if (Files.isDirectory(p)) throw new UserError(p + " is a folder; load reads a model file (.vae) or a checkpoint (.vaeckpt)");
    if (!p.toString().endsWith(".vae")) {
      loadCheckpoint(p);
      return;
    }
    SourceFile f = SourceFile.read(p);
    ReplModel next = new ReplModel().with(ReplModel.parse(f.text(), p.toString(), 1), null);
    adopt(next, p.toString());
  }

  /** Makes {@code next} the edited model and, when it compiles, the model in use, carrying over parameters. */
  private void adopt(ReplModel next, String origin) {
    edited = next;
    if (inUse != null && next.text().equals(inUse.text())) {
      edited = inUse;
      out.println("the model is unchanged");
      return;
    }
    Compiler.Compilation c;
    try {
      c = Compiler.compile(new SourceFile(sourceName(next), next.text()));
    } catch (CompileError e) {
      String located = next.locate(e, sourceName(next));
      if (inUse == null && origin.equals("repl")) {
        // Typing a model statement by statement: it does not compile until it is complete, which is no failure.
        out.println("(the model does not compile yet; go on typing statements, or load a file)\n" + located);
        return;
      }
      throw new UserError(located + "\n" + (inUse == null ? "(no model is in use yet)"
          : "(the model in use is unchanged; fix the statement, drop it, or discard the edits)"));
    }
    CompiledModel m = c.compiled();
    ModelState fresh = freshState(m);
    ModelState carried = state == null ? fresh : carry(state, fresh);
    inUse = next;
    edited = next;
    compilation = c;
    state = carried;
    lastEval.clear();
    describeModel();
  }

  /** The model text's name in messages: the file when every statement came from one file, else "repl". */
  private static String sourceName(ReplModel m) {
    java.util.Set<String> origins = new java.util.HashSet<>();
    for (ReplModel.Entry e : m.entries()) origins.add(e.origin());
    return origins.size() == 1 ? origins.iterator().next() : "repl";
  }

  /** One line per latent: its estimator; then the parameter count. */
  private void describeModel() {
    var m = compilation.compiled();
    List<String> parts = new ArrayList<>();
    for (LatentPlan lp : compilation.plan().latents()) {
      parts.add(lp.latent().name() + " " + lp.estimator().keyword());
    }
    out.printf(Locale.ROOT, "model %s compiled: %s; %,d parameters; objective %s%n", m.name(), String.join(", ", parts),
        state.params().size(), compilation.plan().objective().describe().split(" \\(")[0]);
  }

  /**
   * {@code fresh}, with every parameter tensor whose name and shape {@code old} also has taken
   * from {@code old} (and its optimizer moments, when the optimizer is the same), and old's
   * progress counters and curves; prints which were kept and which start afresh.
   */
  private ModelState carry(ModelState old, ModelState fresh) {
    Checkpoint o = old.toCheckpoint();
    Checkpoint f = fresh.toCheckpoint();
    Map<String, long[]> oldOffsets = offsets(o.layout());
    Map<String, long[]> newOffsets = offsets(f.layout());
    float[] params = f.params().clone();
    List<String> kept = new ArrayList<>();
    List<String> afresh = new ArrayList<>();
    Map<String, float[]> optState = new LinkedHashMap<>();
    boolean sameOptimizer = o.optimizer().equals(f.optimizer());
    for (var e : f.optimizerState().entrySet()) optState.put(e.getKey(), e.getValue().clone());
    for (Checkpoint.ParamEntry p : f.layout()) {
      long[] was = oldOffsets.get(p.name());
      long[] now = newOffsets.get(p.name());
      Checkpoint.ParamEntry before = o.layout().stream().filter(q -> q.name().equals(p.name())).findFirst().orElse(null);
      if (before != null && Arrays.equals(before.shape(), p.shape())) {
        System.arraycopy(o.params(), (int) was[0], params, (int) now[0], (int) p.size());
        if (sameOptimizer) {
          for (var e : o.optimizerState().entrySet()) {
            float[] target = optState.get(e.getKey());
            if (target != null && e.getValue().length == o.params().length && target.length == params.length) {
              System.arraycopy(e.getValue(), (int) was[0], target, (int) now[0], (int) p.size());
            }
          }
        }
        kept.add(p.name());
      } else {
        afresh.add(p.name() + " " + Arrays.toString(p.shape()) + (before == null ? " (new)" : " (was " + Arrays.toString(before.shape()) + ")"));
      }
    }
    if (sameOptimizer) {
      for (var e : o.optimizerState().entrySet()) {
        float[] target = optState.get(e.getKey());
        if (target != null && e.getValue().length != o.params().length && target.length == e.getValue().length) {
          optState.put(e.getKey(), e.getValue().clone());   // counters such as Adam's step
        }
      }
    }
    List<String> dropped = new ArrayList<>();
    for (Checkpoint.ParamEntry p : o.layout()) if (!newOffsets.containsKey(p.name())) dropped.add(p.name());
    if (kept.isEmpty() && !o.layout().isEmpty()) {
      // Nothing survives (another model): its progress and loss history start afresh too.
      out.println("parameters: none kept; all " + f.layout().size() + " tensors initialized afresh, at epoch 0, step 0");
      stepLosses.clear();
      epochTests.clear();
      return fresh;
    }
    if (afresh.isEmpty() && dropped.isEmpty()) {
      out.println("parameters: all " + kept.size() + " tensors kept" + (sameOptimizer ? "" : " (the optimizer's state starts afresh)"));
    } else {
      out.println("parameters kept: " + (kept.isEmpty() ? "none" : String.join(", ", kept)));
      if (!afresh.isEmpty()) out.println("parameters initialized afresh: " + String.join(", ", afresh));
      if (!dropped.isEmpty()) out.println("parameters dropped: " + String.join(", ", dropped));
    }
    Checkpoint c = new Checkpoint(f.modelHash(), f.modelFile(), fresh.model().config().objective(), o.epoch(), o.step(), f.seed(), f.layout(), params, f.optimizer(),
        sameOptimizer ? optState : f.optimizerState(), o.curves());
    return ModelState.restore(fresh.model(), c, "the session", trainRows(fresh.model()));
  }

  private static Map<String, long[]> offsets(List<Checkpoint.ParamEntry> layout) {
    Map<String, long[]> out = new LinkedHashMap<>();
    long off = 0;
    for (Checkpoint.ParamEntry p : layout) {
      out.put(p.name(), new long[] {off});
      off += p.size();
    }
    return out;
  }

  private void show(String args, int line, int column) {
    if (edited.isEmpty()) throw new UserError("no model yet: load a file or type statements");
    if (args.isEmpty()) {
      out.print(edited.text());
      if (inUse != null && edited != inUse) out.println("// (edited; this does not compile yet, so the previous version is in use)");
      return;
    }
    String name = args.strip();
    List<String> shown = new ArrayList<>();
    for (ReplModel.Entry e : edited.entries()) {
      for (String k : e.keys()) {
        if (k.equals(name) || k.endsWith(" " + name) || k.startsWith(name + " ") && !name.equals("var")) {
          shown.add(e.text());
          break;
        }
      }
    }
    if (shown.isEmpty()) {
      throw new UserError("no statement defines '" + name + "'" + hint(name, edited.declaredNames()));
    }
    for (String t : shown) out.println(t);
  }

  private void drop(String args, int line, int column) {
    String key = args.strip().replaceAll("\\s+", " ");
    if (key.startsWith("data ") || key.startsWith("latent ")) key = "var " + key.substring(key.indexOf(' ') + 1);
    String k = key;
    if (edited.entries().stream().noneMatch(e -> e.keys().contains(k))) {
      throw new UserError("no statement '" + args.strip() + "' to drop (examples: drop network classifier, drop guide z, drop latent c)");
    }
    adopt(edited.without(key), "repl");
  }

  private void discard() {
    if (inUse == null) {
      edited = new ReplModel();
      out.println("no model in use; the edits are discarded");
      return;
    }
    edited = inUse;
    out.println("back to the model in use");
  }

  // ------------------------------------------------------------------ running

  private Compiler.Compilation requireModel() {
    if (compilation == null) throw new UserError("no model yet: load a file (load examples/vae.vae) or type statements");
    return compilation;
  }

  private DataSplit data() {
    return data(requireModel().compiled());
  }

  /** The data {@code m}'s settings name, loaded once and kept while they stay the same. */
  private DataSplit data(CompiledModel m) {
    String key = dataKey(m);
    if (!key.equals(dataKey)) {
      data = ModelFiles.load(m, m.config());
      dataKey = key;
    }
    return data;
  }

  private static String dataKey(CompiledModel m) {
    var cfg = m.config();
    String key = cfg.dataset() + "|" + cfg.testDataset() + "|" + cfg.dynamicBinarization() + "|" + cfg.seed() + "|" + m.data();
    // A model without data trains on batch x steps draws per epoch: those settings size its split.
    if (cfg.dataFree()) key += "|" + cfg.batch() + "|" + cfg.steps();
    return key;
  }

  /**
   * The training examples of {@code m}'s data when they are loaded, else Integer.MAX_VALUE: the
   * memory check counts the batch training runs, the batch setting capped at them.
   */
  private int trainRows(CompiledModel m) {
    return data != null && dataKey(m).equals(dataKey) ? data.train().rows() : Integer.MAX_VALUE;
  }

  /**
   * Fresh parameters for {@code m}. The memory check counts the batch training runs: the batch
   * setting capped at the training examples. When the data are not loaded yet and the setting as
   * written is refused (set batch 2147483647 on 72 examples), the data are loaded to count the
   * batch that would run; a data set that cannot be loaded leaves the first refusal.
   */
  private ModelState freshState(CompiledModel m) {
    int rows = trainRows(m);
    try {
      return ModelState.fresh(m, rows);
    } catch (UserError tooLarge) {
      if (rows != Integer.MAX_VALUE || m.data().isEmpty() || m.config().dataFree()) throw tooLarge;
      try {
        rows = data(m).train().rows();
      } catch (UserError noData) {
        throw tooLarge;
      }
      if (m.config().batchFor(rows) == m.config().batch()) throw tooLarge;
      return ModelState.fresh(m, rows);
    }
  }

  private void plan() {
    out.print(Summary.of(requireModel()));
  }

  private void train(String args, int line, int column) {
    CompiledModel m = requireModel().compiled();
    String[] a = args.isEmpty() ? new String[0] : args.split("\\s+");
    long n = 1;
    boolean steps = false;
    if (a.length > 2) throw new UserError("train takes a count and a unit: train 3 epochs, train 200 steps");
    if (a.length >= 1) {
      if (!a[0].matches("[+-]?\\d+")) throw new UserError("train: '" + a[0] + "' is not a whole number (train 3 epochs, train 200 steps)");
      // A count beyond a long (or beyond the epochs and steps a run counts, below) is refused, not capped.
      try {
        n = Long.parseLong(a[0]);
      } catch (NumberFormatException e) {
        n = a[0].startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;
      }
      if (n < 1) throw new UserError("train: the count must be at least 1, got " + a[0]);
    }
    if (a.length == 2) {
      String unit = a[1].toLowerCase(Locale.ROOT);
      if (unit.startsWith("step")) steps = true;
      else if (!unit.startsWith("epoch")) throw new UserError("train: the unit is epochs or steps, got '" + a[1] + "'");
    }
    // The trainer counts epochs in an int: the run must end at epoch 2147483647 at the latest.
    long maxEpochs = Integer.MAX_VALUE - state.epoch();
    if (!steps && n > maxEpochs) {
      throw new UserError("train: " + a[0] + " epochs is out of range: the count must be between 1 and " + maxEpochs
          + (state.epoch() == 0 ? "" : " (the state is at epoch " + state.epoch() + ", and a run ends at epoch " + Integer.MAX_VALUE + " at the latest)"));
    }
    DataSplit d = data();
    int batch = m.config().batchFor(d.train().rows());
    long perEpoch = d.train().rows() / batch;
    // A partial epoch that does not fit this batch size (changed since) restarts at the epoch's beginning.
    long inEpoch = state.step() - state.epoch() * perEpoch;
    boolean rebase = inEpoch < 0 || inEpoch >= perEpoch;
    if (rebase) inEpoch = 0;
    if (steps) {
      // Steps fill epochs of perEpoch steps each; they too must end by epoch 2147483647.
      long maxSteps = (Integer.MAX_VALUE - state.epoch()) * perEpoch - inEpoch;
      if (n > maxSteps) {
        throw new UserError("train: " + a[0] + " steps is out of range: the count must be between 1 and " + maxSteps + " ("
            + perEpoch + " steps per epoch, from epoch " + state.epoch() + "; a run ends at epoch " + Integer.MAX_VALUE + " at the latest)");
      }
    }
    if (rebase) state = rebased(state, state.epoch() * perEpoch, d.train().rows());
    long target = steps ? state.epoch() + (inEpoch + n + perEpoch - 1) / perEpoch : state.epoch() + n;
    long stopAt = steps ? state.step() + n : Long.MAX_VALUE;
    Checkpoint before = state.toCheckpoint();
    long startStep = state.step();
    ProgressDisplay display = new ProgressDisplay(out, m.terms());
    interrupted = false;
    long[] count = {0};
    double[] previous = {0};
    int lossesBefore = stepLosses.size();
    int testsBefore = epochTests.size();
    Trainer[] self = new Trainer[1];
    TrainingListener listener = new TrainingListener() {
      @Override
      public void epochStarted(long epoch, long epochs, long batches, long done, int batchSize) {
        count[0] = 0;
        previous[0] = 0;
        display.epochStarted(epoch, epochs, batches, done, batchSize);
      }

      @Override
      public void batchDone(long batchInEpoch, double[] terms) {
        display.batchDone(batchInEpoch, terms);
        // The terms are running means since the epoch's (or this run's) start: recover this step's loss.
        long c = ++count[0];
        stepLosses.add(c * terms[0] - (c - 1) * previous[0]);
        previous[0] = terms[0];
        afterStep.accept((int) (state.step() - startStep));
        if (state.step() >= stopAt) self[0].requestStop();
      }

      @Override
      public void epochDone(EpochReport r) {
        epochTests.add(new double[] {stepLosses.size(), r.testLoss()});
        display.epochDone(r);
      }
    };
    Trainer t = new Trainer(state, d, work.resolve("autosave.vaeckpt"), listener);
    self[0] = t;
    trainer = t;
    boolean finished;
    try {
      finished = t.train(Math.toIntExact(target));
    } catch (RuntimeException e) {
      display.close();
      state = ModelState.restore(m, before, "the session", d.train().rows());
      while (stepLosses.size() > lossesBefore) stepLosses.remove(stepLosses.size() - 1);
      while (epochTests.size() > testsBefore) epochTests.remove(epochTests.size() - 1);
      lastEval.clear();
      if (!(e instanceof UserError u)) throw e;
      // The trainer's note about its checkpoint file is about the session's scratch file, not the user's.
      String message = u.getMessage().replaceAll("\n(the last good checkpoint is kept at|no checkpoint of this run was written)[^\n]*", "");
      throw new UserError(message + "\nthe parameters are as they were before this train command");
    } finally {
      trainer = null;
      display.close();
    }
    lastEval.clear();
    long done = state.step() - startStep;
    if (interrupted) {
      out.printf(Locale.ROOT, "interrupted after %d step%s: epoch %d, step %d; the state is kept%n", done, done == 1 ? "" : "s", state.epoch(), state.step());
    } else if (!finished || steps) {
      out.printf(Locale.ROOT, "trained %d step%s: now at epoch %d, step %d (%d of %d steps into epoch %d)%n", done, done == 1 ? "" : "s",
          state.epoch(), state.step(),
          state.step() - state.epoch() * perEpoch, perEpoch, state.epoch() + 1);
    }
  }

  /** Asks the training in progress to stop after its current step (Ctrl-C); false when none runs. */
  boolean interrupt() {
    Trainer t = trainer;
    if (t == null) {
      if (!estimating) return false;
      cancelEstimate = true;
      return true;
    }
    interrupted = true;
    t.requestStop();
    return true;
  }

  /** Whether the importance-sampled estimate runs (it can take long), and whether Ctrl-C asked to stop it. */
  private volatile boolean estimating;
  private volatile boolean cancelEstimate;

  /** {@code s} with its step counter moved to {@code step} (its epoch count and curves kept). */
  private static ModelState rebased(ModelState s, long step, int trainRows) {
    Checkpoint c = s.toCheckpoint();
    return ModelState.restore(s.model(), new Checkpoint(c.modelHash(), c.modelFile(), c.objective(), c.epoch(), step, c.seed(), c.layout(), c.params(),
        c.optimizer(), c.optimizerState(), c.curves()), "the session", trainRows);
  }

  private void eval(String args, int line, int column) {
    CompiledModel m = requireModel().compiled();
    int k = args.isEmpty() ? m.config().evalSamples() : positive(args, "eval", "K");
    DataSplit d = data();
    Evaluator ev = new Evaluator(state);
    Evaluator.Terms terms = ev.terms(d.test());
    out.printf(Locale.ROOT, "at epoch %d, step %d; %,d test examples%n", state.epoch(), state.step(), d.test().rows());
    out.printf(Locale.ROOT, "test %s%n", terms.describe());
    Map<String, ValueDomain> domains = new LinkedHashMap<>();
    for (var z : compilation.model().latents()) domains.put(z.name(), z.domain());
    EvalMetrics metrics = EvalMetrics.of(ev, d.test(), terms, Math.min(k, EvalMetrics.DEFAULT_IWAE_K), k, m.likelihoodLabel(), domains);
    for (String l : metrics.lines()) out.println(l);
    double logPx;
    cancelEstimate = false;
    estimating = true;
    try {
      logPx = ev.logLikelihood(d.test(), k, done -> {
        duringEstimate.accept(done);
        if (cancelEstimate) throw new UserError("interrupted: the log p(x) estimate was stopped after " + done + " test examples");
      });
    } finally {
      estimating = false;
    }
    out.printf(Locale.ROOT, "test %s ~ %.3f nats per example (importance sampling, K = %d)%n", m.likelihoodLabel(), logPx, k);
    lastEval.clear();
    lastEval.put("test " + m.lossLabel(), fmt(terms.loss()));
    for (var e : terms.kl().entrySet()) lastEval.put("test KL " + e.getKey(), fmt(e.getValue()));
    lastEval.put("test " + m.likelihoodLabel() + " (K=" + k + ")", fmt(logPx));
  }

  private void sample(String args, int line, int column) {
    CompiledModel m = requireModel().compiled();
    ParsedOutput p = countAndFile(args, 64, "sample", "repl-samples.png");
    Evaluator ev = new Evaluator(state);
    Conditions.Grid grid = Conditions.build(m, ev.priorInputs(), Map.of(), 8, p.count);
    Map<String, float[][]> means = ev.samplePrior(grid.samples(), 1, grid.values());
    Pictures pic = Pictures.choose(m, data().test());
    if (pic == null) throw new UserError("the model's data are not pictures (no square width), so there is nothing to draw");
    float[][] rows = means.get(pic.variable());
    writeDirs(p.file);
    int columns = grid.rows() > 1 ? grid.perRow() : (int) Math.ceil(Math.sqrt(rows.length));
    ImageGrid.write(p.file, rows, pic.height(), pic.width(), columns, 2);
    out.println("wrote " + rows.length + " samples of " + pic.variable() + " to " + p.file);
    if (preview) preview(Arrays.copyOf(rows, Math.min(4, rows.length)), pic);
  }

  private void reconstruct(String args, int line, int column) {
    CompiledModel m = requireModel().compiled();
    ParsedOutput p = countAndFile(args, 16, "reconstruct", "repl-reconstructions.png");
    BoundData test = data().test();
    int n = Math.min(p.count, test.rows());
    Evaluator ev = new Evaluator(state);
    Pictures pic = Pictures.choose(m, test);
    if (pic == null) throw new UserError("the model's data are not pictures (no square width), so there is nothing to draw");
    float[][] recon = ev.reconstruct(test, n).get(pic.variable());
    float[][] orig = RunOutputs.rowsOf(test.get(pic.variable()), n);
    writeDirs(p.file);
    ImageGrid.writePairs(p.file, orig, recon, pic.height(), pic.width(), 4, 2);
    out.println("wrote " + n + " test examples of " + pic.variable() + " beside their reconstructions to " + p.file);
    if (preview) {
      int k = Math.min(2, n);
      float[][] both = new float[2 * k][];
      for (int i = 0; i < k; i++) {
        both[2 * i] = orig[i];
        both[2 * i + 1] = recon[i];
      }
      preview(both, pic);
    }
  }

  private record ParsedOutput(int count, Path file) {}

  private ParsedOutput countAndFile(String args, int count, String command, String defaultName) {
    Path file = null;
    for (String a : args.isEmpty() ? new String[0] : args.split("\\s+")) {
      if (a.matches("\\d+")) {
        count = Integer.parseInt(a);
        if (count < 1 || count > 10_000) throw new UserError(command + ": the count must be between 1 and 10000, got " + a);
      } else if (a.toLowerCase(Locale.ROOT).endsWith(".png")) file = Path.of(unquote(a));
      else throw new UserError(command + ": expected a count or a .png file, got '" + a + "'");
    }
    if (file == null) file = Path.of("runs", requireModel().compiled().name(), defaultName);
    return new ParsedOutput(count, file);
  }

  private static void writeDirs(Path file) {
    try {
      if (file.getParent() != null) Files.createDirectories(file.getParent());
    } catch (IOException e) {
      throw new UserError("cannot create the folder of " + file + ": " + e.getMessage());
    }
  }

  /** Pictures side by side in characters, two pixel rows per text row. */
  private void preview(float[][] images, Pictures pic) {
    String shades = " .:-=+*#%@";
    int step = Math.max(1, pic.width() / 28);
    for (int y = 0; y < pic.height(); y += 2 * step) {
      StringBuilder b = new StringBuilder();
      for (float[] img : images) {
        for (int x = 0; x < pic.width(); x += step) {
          double v = img[y * pic.width() + x];
          if (y + step < pic.height()) v = (v + img[(y + step) * pic.width() + x]) / 2;
          int i = (int) Math.max(0, Math.min(shades.length() - 1, Math.round(v * (shades.length() - 1))));
          b.append(shades.charAt(i));
        }
        b.append("  ");
      }
      out.println(b.toString().stripTrailing());
    }
  }

  private void inspect(String args, int line, int column) {
    requireModel();
    if (args.isEmpty()) throw new UserError("inspect needs an expression: inspect encoder(x), inspect split(encoder(x)), inspect guide z, inspect kl");
    BoundData test = data().test();
    BoundData batch = test.slice(0, Math.min(inspectRows, test.rows()));
    String[] words = args.split("\\s+");
    String header = String.format(Locale.ROOT, "on the first %d test examples, latents at their guide means:", batch.rows());
    if (words[0].equals("kl") && words.length == 1) {
      out.println(header);
      inspectKl(batch);
      return;
    }
    if ((words[0].equals("guide") || words[0].equals("prior")) && words.length == 2) {
      String z = words[1];
      Site site = null;
      for (Site s : words[0].equals("guide") ? compilation.model().guide() : compilation.model().prior()) {
        if (s.variable().equals(z)) site = s;
      }
      if (site == null) {
        List<String> names = compilation.model().latents().stream().map(v -> v.name()).toList();
        throw new UserError("no latent '" + z + "'" + hint(z, names));
      }
      Map<String, IrExpr> args2 = new LinkedHashMap<>(site.args());
      Map<String, float[][]> v = ReplProbe.evaluate(state, batch, args2);
      out.println(header);
      out.println(words[0] + " of " + z + ": " + site.family().name() + " (line " + site.span().line() + ")");
      for (var e : v.entrySet()) {
        if (site.args().get(e.getKey()) instanceof IrExpr.Const c) out.printf(Locale.ROOT, "%s = %s (a constant)%n", e.getKey(), fmt(c.value()));
        else for (String l : ReplProbe.summary(e.getKey(), e.getValue())) out.println(l);
      }
      return;
    }
    String expr = args;
    List<Integer> sizes = null;
    int exprColumn = column;
    if (args.startsWith("split(") && args.endsWith(")")) {
      String inner = args.substring(6, args.length() - 1);
      List<String> parts = splitTopLevel(inner);
      expr = parts.get(0).strip();
      exprColumn = column + 6 + inner.indexOf(expr);
      sizes = new ArrayList<>();
      for (String p : parts.subList(1, parts.size())) {
        try {
          sizes.add(Integer.parseInt(p.strip()));
        } catch (NumberFormatException e) {
          throw new UserError("split sizes must be whole numbers, got '" + p.strip() + "'");
        }
      }
    }
    IrExpr e = ReplProbe.check(inUse, expr, currentLine, line, exprColumn);
    float[][] value = ReplProbe.evaluate(state, batch, Map.of("value", e)).get("value");
    out.println(header);
    if (sizes == null) {
      for (String l : ReplProbe.summary(expr, value)) out.println(l);
      return;
    }
    int w = value.length == 0 ? 0 : value[0].length;
    if (sizes.isEmpty()) {
      if (w < 2) throw new UserError("split: " + expr + " has width " + w + ", which cannot be split into two parts");
      sizes = List.of(w / 2, w - w / 2);
    }
    for (int size : sizes) {
      if (size < 1) throw new UserError("split sizes must be at least 1, got " + size + " in " + sizes);
    }
    if (sizes.stream().mapToInt(Integer::intValue).sum() != w) {
      throw new UserError("split sizes " + sizes + " do not add up to the width " + w + " of " + expr);
    }
    int from = 0;
    for (int i = 0; i < sizes.size(); i++) {
      float[][] part = new float[value.length][];
      for (int r = 0; r < value.length; r++) part[r] = Arrays.copyOfRange(value[r], from, from + sizes.get(i));
      for (String l : ReplProbe.summary("part " + (i + 1) + " [" + from + ":" + (from + sizes.get(i)) + "]", part)) out.println(l);
      from += sizes.get(i);
    }
  }

  private static List<String> splitTopLevel(String s) {
    List<String> out = new ArrayList<>();
    int depth = 0, start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '(' || c == '[') depth++;
      else if (c == ')' || c == ']') depth--;
      else if (c == ',' && depth == 0) {
        out.add(s.substring(start, i));
        start = i + 1;
      }
    }
    out.add(s.substring(start));
    return out;
  }

  /** Each latent's KL term per example, from the evaluation graph. */
  private void inspectKl(BoundData batch) {
    CompiledModel m = compilation.compiled();
    Graph g = m.evaluate();
    int k = m.samples();
    int n = batch.rows();
    var ex = new vaec.runtime.exec.Executor(g, n * k, state.params());
    for (var in : g.inputs().entrySet()) {
      var d = batch.get(in.getKey());
      float[][] rows = new float[n * k][d.width()];
      for (int r = 0; r < n; r++) for (int j = 0; j < k; j++) d.copyRow(r, rows[r * k + j], 0);
      var target = ex.input(in.getKey());
      target.assign(org.nd4j.linalg.factory.Nd4j.createFromArray(rows).castTo(target.dataType()).reshape(target.shape()));
    }
    ex.drawNoise(state.noise(), -9_000_000);
    ex.forward();
    boolean any = false;
    for (String o : g.outputs().keySet()) {
      if (!o.startsWith(Evaluator.KL_PREFIX)) continue;
      any = true;
      float[][] rows = ex.value(o).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).reshape(n * k, -1).toFloatMatrix();
      // Under an objective with k samples per example, each example's k rows are averaged.
      float[][] v = new float[n][rows[0].length];
      for (int r = 0; r < n * k; r++) for (int j = 0; j < rows[r].length; j++) v[r / k][j] += rows[r][j] / k;
      for (String l : ReplProbe.summary("KL " + o.substring(Evaluator.KL_PREFIX.length()) + " (nats per example)", v)) out.println(l);
    }
    if (!any) out.println("the model has no KL terms");
  }

  private void variance(String args, int line, int column) {
    Compiler.Compilation c = requireModel();
    int steps = args.isEmpty() ? 20 : positive(args, "variance", "STEPS");
    if (steps < 2) throw new UserError("variance: at least 2 steps, got " + steps);
    Map<String, float[]> start = new LinkedHashMap<>();
    for (var e : state.params().layout()) start.put(e.name(), state.params().value(e.name()).dup().reshape(-1).toFloatVector());
    VarianceCommand.table(out, c.source(), c, c.compiled(), data(), start, steps);
  }

  private void set(String args, int line, int column) {
    if (args.isEmpty()) {
      CompiledModel m = requireModel().compiled();
      var t = m.config();
      out.printf(Locale.ROOT, "train: dataset %s; test_dataset %s; objective %s; optimizer %s; batch %d; epochs %d; seed %d; binarize %s; "
              + "eval_samples %d%n", t.dataset(), t.testDataset() == null ? "(default)" : t.testDataset(), t.objective().split(" \\(")[0], t.optimizer(), t.batch(),
          t.epochs(), t.seed(), t.dynamicBinarization() ? "dynamic" : "none", t.evalSamples());
      out.printf(Locale.ROOT, "repl: preview %s; inspect_rows %d%n", preview ? "on" : "off", inspectRows);
      return;
    }
    String[] kv = args.split("\\s+", 2);
    if (kv.length < 2) throw new UserError("set needs a value: set " + kv[0] + " VALUE");
    String key = kv[0];
    String value = kv[1].strip();
    if (value.startsWith("=")) value = value.substring(1).strip();
    switch (key) {
      case "preview" -> {
        if (!value.equals("on") && !value.equals("off")) throw new UserError("preview is on or off, got '" + value + "'");
        preview = value.equals("on");
        return;
      }
      case "inspect_rows" -> {
        inspectRows = positive(value, "set inspect_rows", "N");
        return;
      }
      default -> { }
    }
    requireModel();
    List<String> known = new ArrayList<>(vaec.compiler.check.TrainSettings.KEYS);
    known.addAll(List.of("lr", "preview", "inspect_rows"));
    if (!known.contains(key)) throw new UserError("unknown setting '" + key + "'" + hint(key, known));
    if (key.equals("dataset") || key.equals("test_dataset")) value = ReplTrainBlock.pathValue(value);
    String block = ReplTrainBlock.set(inUse.textOf("train"), key, value);
    List<String> replaced = new ArrayList<>();
    ReplModel next = inUse.with(ReplModel.parse(block, "set", 1), replaced);
    adopt(next, "set");
  }

  private void loss(String args, int line, int column) {
    requireModel();
    if (stepLosses.isEmpty()) {
      out.println("no training steps yet this session");
    } else {
      out.println(ReplSparkline.describe(stepLosses, 60));
    }
    if (!args.isEmpty()) {
      Path png = Path.of(unquote(args));
      if (!png.toString().toLowerCase(Locale.ROOT).endsWith(".png")) throw new UserError("loss writes a PNG file, got '" + args + "'");
      writeDirs(png);
      String label = compilation.compiled().lossLabel();
      org.knowm.xchart.XYChart chart = new org.knowm.xchart.XYChartBuilder().width(800).height(500)
          .title(compilation.compiled().name() + ": " + label + " this session").xAxisTitle("training step").yAxisTitle(label + " (nats per example)")
          .build();
      chart.getStyler().setMarkerSize(6);
      if (!stepLosses.isEmpty()) {
        double[] x = new double[stepLosses.size()];
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
          x[i] = i + 1;
          y[i] = Double.isFinite(stepLosses.get(i)) ? stepLosses.get(i) : Double.NaN;
        }
        chart.addSeries("train (each step)", x, y).setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
      }
      if (!epochTests.isEmpty()) {
        double[] x = new double[epochTests.size()];
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
          x[i] = epochTests.get(i)[0];
          y[i] = Double.isFinite(epochTests.get(i)[1]) ? epochTests.get(i)[1] : Double.NaN;
        }
        chart.addSeries("test (end of each epoch)", x, y).setLineStyle(org.knowm.xchart.style.lines.SeriesLines.NONE);
      }
      try {
        javax.imageio.ImageIO.write(org.knowm.xchart.BitmapEncoder.getBufferedImage(chart), "png", png.toFile());
      } catch (IOException e) {
        throw new UserError("cannot write " + png + ": " + e.getMessage());
      }
      out.println("wrote the training loss of every step and the test loss of every epoch to " + png);
    }
  }

  private void save(String args, int line, int column) {
    requireModel();
    if (args.isEmpty()) throw new UserError("save needs a file: save model.vae (the model text) or save run.vaeckpt (the parameters)");
    Path p = Path.of(unquote(args));
    writeDirs(p);
    if (p.toString().endsWith(".vae")) {
      try {
        Files.writeString(p, inUse.text());
      } catch (IOException e) {
        throw new UserError("cannot write " + p + ": " + e.getMessage());
      }
      out.println("wrote the model in use to " + p);
    } else {
      CheckpointIO.write(p, state.toCheckpoint());
      out.printf(Locale.ROOT, "wrote a checkpoint at epoch %d, step %d to %s%n", state.epoch(), state.step(), p);
    }
  }

  private void loadCheckpoint(Path p) {
    // The file first: a data file or a folder given to load is named as what it is, not as
    // "no model yet".
    Checkpoint c = CheckpointIO.read(p);
    CompiledModel m = requireModel().compiled();
    // The REPL's model text is its own composition, so the source hash is not asked to match;
    // the parameter layout and optimizer are.
    Checkpoint same = new Checkpoint(m.sourceHash(), c.modelFile(), m.config().objective(), c.epoch(), c.step(), c.seed(), c.layout(), c.params(), c.optimizer(),
        c.optimizerState(), c.curves());
    ModelState restored;
    try {
      restored = ModelState.restore(m, same, p.toString(), trainRows(m));
    } catch (UserError e) {
      throw new UserError(e.getMessage() + "\nthe checkpoint does not fit the model in use; nothing was changed");
    }
    state = restored;
    lastEval.clear();
    stepLosses.clear();
    epochTests.clear();
    out.printf(Locale.ROOT, "loaded %s: epoch %d, step %d%n", p, state.epoch(), state.step());
  }

  private void emit(String args, int line, int column) {
    CompiledModel m = requireModel().compiled();
    if (args.isEmpty()) throw new UserError("emit needs a folder: emit graphs/");
    Path dir = Path.of(unquote(args));
    Map<String, Graph> graphs = new LinkedHashMap<>();
    graphs.put("train", m.train());
    graphs.put("evaluate", m.evaluate());
    graphs.put("log_weight", m.logWeight());
    graphs.put("prior_sample", m.priorSample());
    graphs.put("reconstruct", m.reconstruct());
    graphs.put("decode", m.decode());
    if (m.controlVariates() != null) graphs.put("control_variates", m.controlVariates());
    try {
      Files.createDirectories(dir);
      for (var e : graphs.entrySet()) {
        Files.writeString(dir.resolve(e.getKey() + ".txt"), GraphText.text(e.getKey(), e.getValue()));
        Files.writeString(dir.resolve(e.getKey() + ".dot"), GraphText.dot(e.getKey(), e.getValue()));
      }
    } catch (IOException e) {
      throw new UserError("cannot write graphs to " + dir + ": " + e.getMessage());
    }
    out.println("wrote " + graphs.size() + " graphs as text and DOT to " + dir);
  }

  // ------------------------------------------------------------------ snapshots

  private void snapshot(String args, int line, int column) {
    requireModel();
    String name = args.strip();
    if (!name.matches("[A-Za-z0-9_.-]+")) throw new UserError("a snapshot name is letters, digits, _ . or -, got '" + name + "'");
    Map<String, String> metrics = new LinkedHashMap<>();
    metrics.put("epoch", Long.toString(state.epoch()));
    metrics.put("step", Long.toString(state.step()));
    for (LatentPlan lp : compilation.plan().latents()) {
      metrics.put("estimator " + lp.latent().name(), lp.estimator().keyword());
    }
    metrics.put("objective", compilation.compiled().config().objective().split(" \\(")[0]);
    List<Double> train = state.curves().getOrDefault("train_loss", List.of());
    if (!train.isEmpty()) metrics.put("train " + compilation.compiled().lossLabel() + " (last epoch)", fmt(train.get(train.size() - 1)));
    if (lastEval.isEmpty()) {
      Evaluator.Terms t = new Evaluator(state).terms(data().test());
      metrics.put("test " + compilation.compiled().lossLabel(), fmt(t.loss()));
      for (var e : t.kl().entrySet()) metrics.put("test KL " + e.getKey(), fmt(e.getValue()));
    } else {
      metrics.putAll(lastEval);
    }
    boolean again = snapshots.containsKey(name);
    snapshots.put(name, new Snapshot(name, inUse, inUse.text(), state.toCheckpoint(), metrics, List.copyOf(stepLosses),
        List.copyOf(epochTests)));
    out.println((again ? "replaced snapshot " : "snapshot ") + name + ": " + metrics.entrySet().stream()
        .filter(e -> e.getKey().startsWith("test")).map(e -> e.getKey() + " " + e.getValue()).reduce((a, b) -> a + ", " + b).orElse(""));
  }

  private void compare(String args, int line, int column) {
    List<String> names = args.isEmpty() ? new ArrayList<>(snapshots.keySet()) : List.of(args.split("\\s+"));
    if (names.isEmpty()) throw new UserError("no snapshots yet: take one with snapshot NAME");
    for (String n : names) {
      if (!snapshots.containsKey(n)) throw new UserError("no snapshot '" + n + "'" + hint(n, snapshots.keySet()));
    }
    List<String> rows = new ArrayList<>();
    for (String n : names) for (String k : snapshots.get(n).metrics().keySet()) if (!rows.contains(k)) rows.add(k);
    int first = Math.max(6, rows.stream().mapToInt(String::length).max().orElse(6));
    int[] widths = new int[names.size()];
    for (int i = 0; i < names.size(); i++) {
      int w = names.get(i).length();
      for (String v : snapshots.get(names.get(i)).metrics().values()) w = Math.max(w, v.length());
      widths[i] = w;
    }
    StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-" + first + "s", ""));
    for (int i = 0; i < names.size(); i++) head.append("  ").append(String.format(Locale.ROOT, "%" + widths[i] + "s", names.get(i)));
    out.println(head.toString().stripTrailing());
    for (String r : rows) {
      StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-" + first + "s", r));
      for (int i = 0; i < names.size(); i++) {
        String v = snapshots.get(names.get(i)).metrics().getOrDefault(r, "-");
        b.append("  ").append(String.format(Locale.ROOT, "%" + widths[i] + "s", v));
      }
      out.println(b);
    }
    // Which statements differ between the first snapshot and each other one.
    Snapshot base = snapshots.get(names.get(0));
    for (String n : names.subList(1, names.size())) {
      List<String> changed = new ArrayList<>();
      Snapshot s = snapshots.get(n);
      for (ReplModel.Entry e : s.model().entries()) {
        String key = e.keys().iterator().next();
        String was = base.model().textOf(key);
        if (was == null || !was.strip().equals(e.text().strip())) changed.add(ReplModel.describe(e));
      }
      for (ReplModel.Entry e : base.model().entries()) {
        if (s.model().textOf(e.keys().iterator().next()) == null) changed.add("-" + ReplModel.describe(e));
      }
      if (!changed.isEmpty()) out.println(n + " differs from " + base.name() + " in: " + String.join("; ", changed));
    }
  }

  private void revert(String args, int line, int column) {
    String name = args.strip();
    Snapshot s = snapshots.get(name);
    if (s == null) throw new UserError("no snapshot '" + name + "'" + hint(name, snapshots.keySet()));
    Compiler.Compilation c = Compiler.compile(new SourceFile(sourceName(s.model()), s.text()));
    ModelState restored = ModelState.restore(c.compiled(), new Checkpoint(c.compiled().sourceHash(), s.state().modelFile(), c.compiled().config().objective(), s.state().epoch(),
        s.state().step(), s.state().seed(), s.state().layout(), s.state().params(), s.state().optimizer(), s.state().optimizerState(),
        s.state().curves()), "snapshot " + name, trainRows(c.compiled()));
    edited = s.model();
    inUse = s.model();
    compilation = c;
    state = restored;
    lastEval.clear();
    lastEval.putAll(s.metrics());
    lastEval.keySet().removeIf(k -> !k.startsWith("test"));
    stepLosses.clear();
    stepLosses.addAll(s.losses());
    epochTests.clear();
    epochTests.addAll(s.tests());
    out.printf(Locale.ROOT, "back to snapshot %s: epoch %d, step %d%n", name, state.epoch(), state.step());
  }

  private void reset() {
    requireModel();
    state = freshState(compilation.compiled());
    lastEval.clear();
    stepLosses.clear();
    epochTests.clear();
    out.println("parameters initialized afresh; epoch 0, step 0");
  }

  // ------------------------------------------------------------------ help

  private void help(String args, int line, int column) {
    if (!args.isEmpty()) {
      Command c = commands.get(args.strip());
      if (c == null) throw new UserError("no command '" + args.strip() + "'" + hint(args.strip(), commands.keySet()));
      out.println(c.name() + (c.args().isEmpty() ? "" : " " + c.args()));
      out.println("  " + c.help());
      return;
    }
    out.println("Type statements of the language to add or replace them (a prior, guide or likelihood statement replaces the one");
    out.println("for the same variable; data, latent, network, model and train { } replace the one of the same name); blocks");
    out.println("may span lines. Commands:");
    for (Command c : commands.values()) {
      String synopsis = c.name() + (c.args().isEmpty() ? "" : " " + c.args());
      List<String> lines = wrap(c.help(), 72);
      if (synopsis.length() > 24) {
        out.println("  " + synopsis);
        for (String l : lines) out.println(" ".repeat(28) + l);
      } else {
        for (int i = 0; i < lines.size(); i++) out.printf(Locale.ROOT, "  %-24s  %s%n", i == 0 ? synopsis : "", lines.get(i));
      }
    }
  }

  private static List<String> wrap(String text, int width) {
    List<String> out = new ArrayList<>();
    StringBuilder b = new StringBuilder();
    for (String w : text.split(" ")) {
      if (b.length() > 0 && b.length() + 1 + w.length() > width) {
        out.add(b.toString());
        b.setLength(0);
      }
      b.append(b.length() == 0 ? "" : " ").append(w);
    }
    out.add(b.toString());
    return out;
  }

  private static String hint(String word, java.util.Collection<String> known) {
    String h = Suggest.didYouMean(word, known);
    return h == null ? "" : "; " + h;
  }

  private static int positive(String s, String command, String what) {
    try {
      int v = Integer.parseInt(s.strip());
      if (v < 1) throw new UserError(command + ": " + what + " must be at least 1, got " + v);
      return v;
    } catch (NumberFormatException e) {
      throw new UserError(command + ": " + what + " must be a whole number, got '" + s.strip() + "'");
    }
  }

  private static String unquote(String s) {
    s = s.strip();
    if (s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("'") && s.endsWith("'"))) return s.substring(1, s.length() - 1);
    return s;
  }

  static String fmt(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  // for tests
  ModelState state() { return state; }

  Compiler.Compilation compilation() { return compilation; }
}
