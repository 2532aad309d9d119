package vaec.compiler.lower;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import vaec.compiler.ir.IrExpr;
import vaec.compiler.ir.ProbModel;
import vaec.compiler.ir.Site;
import vaec.compiler.ir.Variable;
import vaec.compiler.plan.EstimatorPlan;
import vaec.compiler.plan.LatentPlan;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.ops.Affine;
import vaec.runtime.ops.Binary;
import vaec.runtime.ops.Concat;
import vaec.runtime.ops.Reciprocal;
import vaec.runtime.ops.Slice;
import vaec.runtime.ops.Unary;
import vaec.stdlib.Catalog;
import vaec.stdlib.estimators.Estimator;

/**
 * Pass 5: the IR and the plan to computation graphs, one per purpose (see
 * {@link vaec.runtime.model.CompiledModel}). Deterministic expressions become ops, each sample
 * site becomes its family's sampler (pathwise where the plan says reparameterized), and the
 * objective is assembled from small pieces: reconstruction terms, KL terms (closed form or
 * Monte Carlo), their sum as the per-example loss.
 */
public final class GraphLowering {
  /** What a graph is for. */
  public enum Purpose { TRAIN, LOG_WEIGHT, PRIOR_SAMPLE, RECONSTRUCT }

  private final ProbModel model;
  private final EstimatorPlan plan;
  private final Catalog catalog;
  private final Graph g = new Graph();
  private final Map<IrExpr, Node> memo = new IdentityHashMap<>();
  private final Map<String, Node> constants = new HashMap<>();
  private final Map<String, Node> latents = new LinkedHashMap<>();

  private GraphLowering(ProbModel model, EstimatorPlan plan, Catalog catalog) {
    this.model = model;
    this.plan = plan;
    this.catalog = catalog;
  }

  public static Graph lower(ProbModel model, EstimatorPlan plan, Catalog catalog, Purpose purpose) {
    GraphLowering l = new GraphLowering(model, plan, catalog);
    for (LatentPlan lp : plan.latents()) {
      if (lp.estimator() != Estimator.REPARAMETERIZED) {
        throw new UnsupportedEstimator(lp);
      }
    }
    switch (purpose) {
      case TRAIN -> l.elbo(true);
      case LOG_WEIGHT -> l.elbo(false);
      case PRIOR_SAMPLE -> l.priorSample();
      case RECONSTRUCT -> l.reconstruct();
    }
    return l.g;
  }

  /** A latent whose planned estimator this version cannot lower yet. */
  public static final class UnsupportedEstimator extends RuntimeException {
    public final LatentPlan latent;

    UnsupportedEstimator(LatentPlan latent) {
      super(latent.estimator().keyword(), null, false, false);
      this.latent = latent;
    }
  }

  private void elbo(boolean training) {
    for (Variable x : model.data()) g.input(x.name(), x.width());
    Map<String, Map<String, Node>> guideArgs = new HashMap<>();
    for (LatentPlan lp : plan.latents()) {
      Site q = lp.guide();
      Map<String, Node> args = args(q);
      guideArgs.put(q.variable(), args);
      latents.put(q.variable(), q.family().rsample(g, q.origin(), args, q.width(), q.variable()));
    }
    Node logLik = null;
    for (Site s : model.likelihood()) {
      logLik = sum(logLik, s.family().logProb(g, s.origin(), g.inputs().get(s.variable()), args(s)), s.origin());
    }
    if (training) {
      Node kl = null;
      for (LatentPlan lp : plan.latents()) {
        Site q = lp.guide();
        Site p = lp.prior();
        Map<String, Node> pArgs = args(p);
        Node term;
        if (lp.analyticKl()) {
          term = catalog.kl(q.family(), p.family()).orElseThrow().lower(g, p.origin(), guideArgs.get(q.variable()), pArgs);
        } else {
          Node z = latents.get(q.variable());
          Node logQ = q.family().logProb(g, q.origin(), z, guideArgs.get(q.variable()));
          Node logP = p.family().logProb(g, p.origin(), z, pArgs);
          term = g.apply(new Binary(Binary.Kind.SUB), p.origin(), logQ, logP);
        }
        kl = sum(kl, term, p.origin());
      }
      Node recon = g.apply(new Affine(-1, 0), SourceRef.NONE, logLik);
      Node loss = kl == null ? recon : g.apply(new Binary(Binary.Kind.ADD), SourceRef.NONE, recon, kl);
      g.output("reconstruction", recon);
      g.output("kl", kl == null ? g.constant(0, 1) : kl);
      g.output("loss", loss);
      g.setLoss(loss);
    } else {
      Node logW = logLik;
      for (LatentPlan lp : plan.latents()) {
        Site q = lp.guide();
        Site p = lp.prior();
        Node z = latents.get(q.variable());
        Node logP = p.family().logProb(g, p.origin(), z, args(p));
        Node logQ = q.family().logProb(g, q.origin(), z, guideArgs.get(q.variable()));
        logW = g.apply(new Binary(Binary.Kind.ADD), p.origin(), logW, logP);
        logW = g.apply(new Binary(Binary.Kind.SUB), q.origin(), logW, logQ);
      }
      g.output("log_weight", logW);
    }
  }

  private void priorSample() {
    for (Site p : plan.priorOrder()) {
      latents.put(p.variable(), p.family().sample(g, p.origin(), args(p), p.width(), p.variable()));
    }
    likelihoodMeans();
  }

  private void reconstruct() {
    for (Variable x : model.data()) g.input(x.name(), x.width());
    for (LatentPlan lp : plan.latents()) {
      Site q = lp.guide();
      latents.put(q.variable(), q.family().mean(g, q.origin(), args(q)));
    }
    likelihoodMeans();
  }

  private void likelihoodMeans() {
    for (Site s : model.likelihood()) {
      g.output(model.likelihood().size() == 1 ? "mean" : "mean_" + s.variable(), s.family().mean(g, s.origin(), args(s)));
    }
  }

  private Node sum(Node acc, Node term, SourceRef o) {
    return acc == null ? term : g.apply(new Binary(Binary.Kind.ADD), o, acc, term);
  }

  /** A site's arguments as nodes of the site's width: scalar constants are broadcast. */
  private Map<String, Node> args(Site s) {
    Map<String, Node> out = new LinkedHashMap<>();
    for (var e : s.args().entrySet()) {
      IrExpr v = e.getValue();
      out.put(e.getKey(), v instanceof IrExpr.Const c ? constant(c.value(), s.width()) : node(v));
    }
    return out;
  }

  private Node constant(double v, int width) {
    return constants.computeIfAbsent(v + "@" + width, k -> g.constant(v, width));
  }

  private Node node(IrExpr e) {
    Node done = memo.get(e);
    if (done != null) return done;
    Node n;
    SourceRef o = e.origin();
    if (e instanceof IrExpr.Data d) n = g.inputs().get(d.name());
    else if (e instanceof IrExpr.Latent l) n = latents.get(l.name());
    else if (e instanceof IrExpr.Fn f) n = g.apply(new Unary(f.fn()), o, node(f.arg()));
    else if (e instanceof IrExpr.NetCall c) n = c.network().apply(g, o, node(c.input()));
    else if (e instanceof IrExpr.Slice s) n = g.apply(new Slice(s.from(), s.to()), o, node(s.target()));
    else if (e instanceof IrExpr.Concat c) {
      List<Node> parts = new ArrayList<>();
      for (IrExpr p : c.parts()) parts.add(node(p));
      n = g.apply(new Concat(), o, parts.toArray(new Node[0]));
    } else if (e instanceof IrExpr.Arith a) n = arith(a);
    else throw new IllegalStateException("constant outside an argument: " + e);
    if (n == null) throw new IllegalStateException("unbound value in " + e);
    memo.put(e, n);
    return n;
  }

  /** Scalar arithmetic folds into one affine op; value-with-value arithmetic is element-wise. */
  private Node arith(IrExpr.Arith a) {
    SourceRef o = a.origin();
    if (a.left() instanceof IrExpr.Const c) {
      double k = c.value();
      Node x = node(a.right());
      return switch (a.op()) {
        case '+' -> g.apply(new Affine(1, k), o, x);
        case '-' -> g.apply(new Affine(-1, k), o, x);
        case '*' -> g.apply(new Affine(k, 0), o, x);
        default -> g.apply(new Reciprocal(k), o, x);
      };
    }
    if (a.right() instanceof IrExpr.Const c) {
      double k = c.value();
      Node x = node(a.left());
      return switch (a.op()) {
        case '+' -> g.apply(new Affine(1, k), o, x);
        case '-' -> g.apply(new Affine(1, -k), o, x);
        case '*' -> g.apply(new Affine(k, 0), o, x);
        default -> g.apply(new Affine(1 / k, 0), o, x);
      };
    }
    Binary.Kind kind = switch (a.op()) {
      case '+' -> Binary.Kind.ADD;
      case '-' -> Binary.Kind.SUB;
      case '*' -> Binary.Kind.MUL;
      default -> Binary.Kind.DIV;
    };
    return g.apply(new Binary(kind), o, node(a.left()), node(a.right()));
  }
}
