package vaec.compiler.check;

import java.util.List;
import java.util.Locale;
import vaec.compiler.Diagnostics;
import vaec.compiler.Suggest;
import vaec.compiler.ast.Ast;
import vaec.runtime.model.TrainConfig;
import vaec.runtime.optim.OptimizerSpec;
import vaec.stdlib.Catalog;

/**
 * Reads the {@code train { ... }} section into a {@link TrainConfig}, with the defaults a user
 * would expect when a setting is left out (the reference VAE's: Adam 1e-3, batch 128).
 */
public final class TrainSettings {
  public static final List<String> KEYS =
      List.of("dataset", "test_dataset", "objective", "optimizer", "batch", "epochs", "seed", "binarize", "eval_samples", "steps");

  /** The dataset of a model without data. */
  public static final String NO_DATA = TrainConfig.NO_DATA;

  private TrainSettings() {}

  public static TrainConfig defaults() {
    return new TrainConfig("mnist_digits", null, "elbo", OptimizerSpec.adam(), 128, 10, 0, false, 1000, TrainConfig.DEFAULT_STEPS);
  }

  /** The train section checked: its diagnostics, if any, stop compilation here. */
  public static TrainConfig check(Ast.TrainDecl t, vaec.compiler.SourceFile file, Catalog catalog) {
    Diagnostics diags = new Diagnostics(file);
    TrainConfig c = read(t, diags, catalog);
    diags.throwIfAny();
    return c;
  }

  static TrainConfig read(Ast.TrainDecl t, Diagnostics diags, Catalog catalog) {
    TrainConfig c = defaults();
    if (t == null) return c;
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (Ast.Setting s : t.settings()) {
      if (!seen.add(s.key())) diags.error(s.keySpan(), "setting '" + s.key() + "' given twice");
      Ast.Expr v = s.value();
      switch (s.key()) {
        case "dataset", "test_dataset" -> {
          String d = v instanceof Ast.Name n ? n.name() : v instanceof Ast.Str str ? str.value() : null;
          if (d == null) diags.error(v.span(), "a dataset is a name like mnist_digits or a file path in quotes");
          else c = s.key().equals("dataset") ? c.withDataset(d) : c.withTestDataset(d);
        }
        case "objective" -> {
          // The name is checked here; its settings by the planner, which the objective's class tells.
          String o = objectiveName(v, diags, catalog);
          if (o != null) c = c.withObjective(o);
        }
        case "optimizer" -> c = optimizer(v, c, diags, catalog);
        case "batch" -> c = c.withBatch(positiveInt(v, "batch", 1, diags, 128));
        case "epochs" -> c = c.withEpochs(positiveInt(v, "epochs", 0, diags, 10));
        case "seed" -> c = c.withSeed(positiveInt(v, "seed", 0, diags, 0));
        case "steps" -> c = c.withSteps(positiveInt(v, "steps", 1, diags, TrainConfig.DEFAULT_STEPS));
        case "eval_samples" -> c = c.withEvalSamples(positiveInt(v, "eval_samples", 1, diags, 1000));
        case "binarize" -> {
          String b = v instanceof Ast.Name n ? n.name() : "";
          if (b.equals("dynamic")) c = c.withBinarization(true);
          else if (b.equals("none")) c = c.withBinarization(false);
          else diags.error(v.span(), "binarize is 'dynamic' or 'none'");
        }
        default -> diags.error(s.keySpan(), "unknown training setting '" + s.key() + "'", Suggest.didYouMean(s.key(), KEYS));
      }
    }
    if (!c.dataFree()) {
      for (Ast.Setting s : t.settings()) {
        if (s.key().equals("steps")) {
          diags.error(s.keySpan(), "steps sets the length of an epoch of a model without data (dataset = none); this one trains on "
              + c.dataset() + ", whose epochs go once through the data", "leave steps out");
        }
      }
    }
    return c;
  }

  /** The objective {@code v} names, or null after a diagnostic when it names none the catalog knows. */
  public static String objectiveName(Ast.Expr v, Diagnostics diags, Catalog catalog) {
    String o = v instanceof Ast.Name n ? n.name() : v instanceof Ast.Call call ? call.callee() : null;
    if (o == null || !catalog.objectiveNames().contains(o)) {
      diags.error(v instanceof Ast.Call call ? call.calleeSpan() : v.span(), "unknown objective" + (o == null ? "" : " '" + o + "'"),
          Suggest.didYouMean(o == null ? "" : o, catalog.objectiveNames()));
      return null;
    }
    return o;
  }

  /** An objective's value (a name, or a call with settings) as the IR holds it. */
  public static vaec.compiler.ir.EstimatorRequest objectiveRequest(Ast.Expr v) {
    if (v instanceof Ast.Name n) return new vaec.compiler.ir.EstimatorRequest(n.name(), n.span(), n.span(), List.of());
    if (v instanceof Ast.Call c) return ShapeChecker.request(c);
    return null;
  }

  /** The objective clause as the IR holds it, or null when the train block names none. */
  public static vaec.compiler.ir.EstimatorRequest objectiveRequest(Ast.TrainDecl t) {
    if (t == null) return null;
    for (Ast.Setting s : t.settings()) {
      if (!s.key().equals("objective")) continue;
      vaec.compiler.ir.EstimatorRequest r = objectiveRequest(s.value());
      if (r != null) return r;
    }
    return null;
  }

  private static int positiveInt(Ast.Expr v, String key, int min, Diagnostics diags, int fallback) {
    if (v instanceof Ast.Num n && n.value() == Math.rint(n.value()) && n.value() >= min && n.value() <= Integer.MAX_VALUE) {
      return (int) n.value();
    }
    diags.error(v.span(), key + " must be a whole number of at least " + min);
    return fallback;
  }

  private static TrainConfig optimizer(Ast.Expr v, TrainConfig c, Diagnostics diags, Catalog catalog) {
    String name;
    List<Ast.Arg> args = List.of();
    if (v instanceof Ast.Name n) name = n.name();
    else if (v instanceof Ast.Call call) {
      name = call.callee();
      args = call.args();
    } else {
      diags.error(v.span(), "an optimizer is written like Adam(lr = 1e-3) or SGD(lr = 0.01)");
      return c;
    }
    var params = catalog.optimizer(name);
    if (params.isEmpty()) {
      diags.error(v.span(), "unknown optimizer '" + name + "'", Suggest.didYouMean(name, catalog.optimizerNames()));
      return c;
    }
    OptimizerSpec spec = name.equalsIgnoreCase("SGD") ? OptimizerSpec.sgd(c.optimizer().lr())
        : OptimizerSpec.adam().with("lr", c.optimizer().lr());
    java.util.Set<String> given = new java.util.HashSet<>();
    for (int i = 0; i < args.size(); i++) {
      Ast.Arg a = args.get(i);
      if (a.name() == null && i > 0) {
        diags.error(a.span(), "only the first setting of " + name + " may be given without a name (it is lr)",
            "write it as " + String.join(" = ..., ", params.get()) + " = ...");
        continue;
      }
      String key = a.name() == null ? "lr" : a.name();
      Double num = number(a.value());
      if (!params.get().contains(key)) {
        diags.error(a.span(), name + " has no setting '" + key + "'", Suggest.didYouMean(key, params.get()));
      } else if (!given.add(key)) {
        diags.error(a.span(), name + "'s setting '" + key + "' is given twice");
      } else if (num == null) {
        diags.error(a.value().span(), key + " must be a number");
      } else if (OptimizerSpec.problem(key, num) != null) {
        diags.error(a.value().span(), OptimizerSpec.problem(key, num));
      } else {
        spec = spec.with(key, num);
      }
    }
    return c.withOptimizer(spec);
  }

  /** A number literal, or a negated one (so that "beta1 = -0.5" reads as out of range, not as a syntax puzzle). */
  private static Double number(Ast.Expr e) {
    if (e instanceof Ast.Num n) return n.value();
    if (e instanceof Ast.Negate neg && neg.operand() instanceof Ast.Num n) return -n.value();
    return null;
  }
}
