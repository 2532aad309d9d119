package vaec.compiler;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import vaec.compiler.ir.IrExpr;
import vaec.compiler.ast.Ast;
import vaec.compiler.check.DataBindings;
import vaec.compiler.check.ModelPaths;
import vaec.compiler.check.Resolver;
import vaec.compiler.check.ShapeChecker;
import vaec.compiler.check.Symbols;
import vaec.compiler.check.TrainSettings;
import vaec.compiler.ir.ProbModel;
import vaec.compiler.lower.GraphLowering;
import vaec.compiler.lower.GraphLowering.Purpose;
import vaec.compiler.lower.RepeatedRowsFactoring;
import vaec.compiler.plan.EstimatorPlan;
import vaec.compiler.syntax.ModelParser;
import vaec.runtime.graph.Graph;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.model.ParamInit;
import vaec.runtime.model.TrainConfig;
import vaec.stdlib.Catalog;
import vaec.stdlib.networks.NetworkSpec;

/**
 * The compiler's passes in order: parse, resolve names, check shapes and domains into the
 * probabilistic IR, plan estimators, lower to graphs. Each pass is a pure function of the
 * previous one's output and stops with {@link CompileError} on the user's mistakes.
 */
public final class Compiler {
  private Compiler() {}

  /** Everything the passes produced, for summaries and for running. */
  public record Compilation(SourceFile source, ProbModel model, EstimatorPlan plan, CompiledModel compiled) {}

  public static Compilation compile(SourceFile source) {
    return compile(source, Catalog.standard());
  }

  public static Compilation compile(SourceFile source, Catalog catalog) {
    return compile(source, catalog, java.util.Map.of());
  }

  /** Compiles with some latents' estimators forced (see {@link vaec.compiler.plan.EstimatorPlanner.Forced}). */
  public static Compilation compile(SourceFile source, Catalog catalog,
                                    java.util.Map<String, vaec.compiler.plan.EstimatorPlanner.Forced> forced) {
    return compile(source, catalog, forced, null);
  }

  /**
   * Compiles with the train block's objective replaced by {@code objective} (null: as written), a
   * flag's text such as {@code iwae(samples = 5)} named as the flag, parsed as the value of the
   * train block's {@code objective} setting; its mistakes are reported against that text. The
   * objective shapes the graphs, so it is applied here, before lowering.
   */
  public static Compilation compile(SourceFile source, SourceFile objective) {
    return compile(source, Catalog.standard(), java.util.Map.of(), objective);
  }

  private static Compilation compile(SourceFile source, Catalog catalog,
                                     java.util.Map<String, vaec.compiler.plan.EstimatorPlanner.Forced> forced, SourceFile objective) {
    Ast.Program ast = ModelParser.parse(source);
    Symbols symbols = Resolver.resolve(ast, source, catalog);
    ProbModel model = ShapeChecker.check(symbols, source, catalog);
    if (objective != null) {
      Ast.Expr v = ModelParser.parseExpression(objective);
      Diagnostics d = new Diagnostics(objective);
      TrainSettings.objectiveName(v, d, catalog);
      d.throwIfAny();
      model = new ProbModel(model.name(), model.source(), model.data(), model.latents(), model.networks(), model.guide(), model.prior(),
          model.likelihood(), TrainSettings.objectiveRequest(v), model.semiImplicit());
      vaec.compiler.plan.EstimatorPlanner.checkObjective(model, d);
      d.throwIfAny();
    }
    EstimatorPlan plan = vaec.compiler.plan.EstimatorPlanner.plan(model, catalog, forced);
    GraphLowering.Training training;
    try {
      training = GraphLowering.lowerTraining(model, plan, catalog);
    } catch (GraphLowering.Refusal r) {
      Diagnostics d = new Diagnostics(source);
      d.error(r.span(), r.getMessage(), r.hint());
      d.throwIfAny();
      throw r;
    }
    // Dense layers over parts repeated into an enumerated latent's blocks meet those parts once
    // per example (RepeatedRowsFactoring); a graph without such a layer is left as lowered.
    training = RepeatedRowsFactoring.apply(training);
    Graph train = training.train();
    Graph evaluate = RepeatedRowsFactoring.apply(GraphLowering.lower(model, plan, catalog, Purpose.EVALUATE));
    Graph logWeight = RepeatedRowsFactoring.apply(GraphLowering.lower(model, plan, catalog, Purpose.LOG_WEIGHT));
    // A model without data has nothing to generate, and its prior may be an unnormalized energy with
    // no sampler: its prior-sampling graph is empty (vaec sample refuses such a model).
    Graph prior = model.data().isEmpty() ? new Graph() : RepeatedRowsFactoring.apply(GraphLowering.lower(model, plan, catalog, Purpose.PRIOR_SAMPLE));
    Graph recon = RepeatedRowsFactoring.apply(GraphLowering.lower(model, plan, catalog, Purpose.RECONSTRUCT));
    Graph decode = RepeatedRowsFactoring.apply(GraphLowering.lower(model, plan, catalog, Purpose.DECODE));
    Graph controlVariates = training.companion();
    List<ParamInit> params = new ArrayList<>();
    Set<String> used = usedNetworks(model);
    for (NetworkSpec n : model.networks().values()) if (used.contains(n.name())) params.addAll(n.params());
    params.addAll(GraphLowering.estimatorParams(plan));
    for (vaec.compiler.ir.Site q : model.guide()) params.addAll(q.family().params(q.variable()));   // a flow's global parameters
    if (params.isEmpty()) {
      // Training, and evaluation (which runs the training graph), differentiate the loss with
      // respect to the parameters: with none, the run stopped with an internal error. The usual
      // cause is a network that is declared but no longer called.
      Diagnostics d = new Diagnostics(source);
      Ast.NetworkDecl unused = null;
      for (Ast.Decl decl : ast.decls()) if (unused == null && decl instanceof Ast.NetworkDecl n) unused = n;
      String message = "the model has no parameters to train: no statement calls a network";
      if (unused != null) d.error(unused.nameSpan(), message, "network '" + unused.name() + "' is declared here but never called");
      else d.error(new Span(1, 1, 1), message, "declare a network and call it in the guide or the likelihood, e.g. decoder(z)");
      d.throwIfAny();
    }
    // Paths written in the model are relative to its folder (vaec.compiler.check.ModelPaths).
    TrainConfig cfg = ModelPaths.resolve(source.name(), TrainSettings.check(symbols.train(), source, catalog));
    // The objective as trained, with its settings: what a checkpoint records to refuse resuming under another.
    cfg = cfg.withObjective(plan.objective().describe());
    CompiledModel compiled = new CompiledModel(model.name(), source.name(), hash(source.text()),
        ModelPaths.resolve(source.name(), DataBindings.inputs(symbols, model.data(), symbols.scored())), params, train, evaluate, logWeight, prior, recon, decode, controlVariates,
        reported(plan), metrics(plan), plan.objective().samples(), cfg);
    return new Compilation(source, model, plan, compiled);
  }

  /** The objective's reported terms, then those each latent's estimator reports (a VQ latent's codebook terms). */
  static List<vaec.runtime.model.ReportedTerm> reported(EstimatorPlan plan) {
    List<vaec.runtime.model.ReportedTerm> out = new ArrayList<>(plan.objective().reported());
    for (var lp : plan.latents()) out.addAll(lp.estimator().reported(lp.site(), lp.settings()));
    return out;
  }

  /** The metrics each latent's estimator declares for the evaluation (a VQ latent's code usage), in the plan's order. */
  static List<vaec.runtime.model.EvalMetric> metrics(EstimatorPlan plan) {
    List<vaec.runtime.model.EvalMetric> out = new ArrayList<>();
    for (var lp : plan.latents()) out.addAll(lp.estimator().metrics(lp.site(), lp.settings()));
    return out;
  }

  /** The networks some site's arguments call: the model's parameters (a declared, unused network has none). */
  static Set<String> usedNetworks(ProbModel m) {
    Set<String> out = new java.util.LinkedHashSet<>();
    List<vaec.compiler.ir.Site> sites = new ArrayList<>(m.guide());
    sites.addAll(m.prior());
    sites.addAll(m.likelihood());
    for (vaec.compiler.ir.Site s : sites) for (IrExpr e : s.args().values()) calls(e, out);
    return out;
  }

  private static void calls(IrExpr e, Set<String> out) {
    if (e instanceof IrExpr.NetCall c) {
      out.add(c.network().name());
      calls(c.input(), out);
    } else if (e instanceof IrExpr.Fn f) calls(f.arg(), out);
    else if (e instanceof IrExpr.Slice sl) calls(sl.target(), out);
    else if (e instanceof IrExpr.Concat c) for (IrExpr p : c.parts()) calls(p, out);
    else if (e instanceof IrExpr.Arith a) {
      calls(a.left(), out);
      calls(a.right(), out);
    }
  }

  /** SHA-256 of the model text: what a checkpoint records to refuse another model. */
  public static String hash(String text) {
    return Hashing.sha256().hashString(text, StandardCharsets.UTF_8).toString();
  }
}
