package vaec.compiler.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import vaec.compiler.Diagnostics;
import vaec.compiler.SourceFile;
import vaec.compiler.Span;
import vaec.compiler.Suggest;
import vaec.compiler.ast.Ast;
import vaec.stdlib.Catalog;

/**
 * Pass 2: every name means one thing. Reports duplicate definitions, unknown names (with a "did
 * you mean"), names used before they are bound, sample statements in the wrong section, and
 * latents without both a prior and a guide, and data that is neither scored by a likelihood nor
 * read by any expression (data only read is a conditioning input).
 */
public final class Resolver {
  /** Names with structural meaning in expressions rather than catalog entries. */
  public static final Set<String> BUILTINS = Set.of("split", "concat", vaec.stdlib.sivi.SemiImplicit.NOISE);

  private final Catalog catalog;
  private final Diagnostics diags;
  /** Data variables some expression reads. */
  private final Set<String> dataRead = new LinkedHashSet<>();

  private Resolver(Catalog catalog, SourceFile file) {
    this.catalog = catalog;
    this.diags = new Diagnostics(file);
  }

  public static Symbols resolve(Ast.Program program, SourceFile file, Catalog catalog) {
    Resolver r = new Resolver(catalog, file);
    Symbols s = r.run(program);
    r.diags.throwIfAny();
    return s;
  }

  private Symbols run(Ast.Program p) {
    Map<String, Ast.VarDecl> data = new LinkedHashMap<>();
    Map<String, Ast.VarDecl> latents = new LinkedHashMap<>();
    Map<String, Ast.NetworkDecl> nets = new LinkedHashMap<>();
    Map<String, Span> defined = new HashMap<>();
    List<Ast.Section> sections = new ArrayList<>();
    Ast.TrainDecl train = null;
    String modelName = null;
    for (Ast.Decl d : p.decls()) {
      if (d instanceof Ast.ModelDecl m) {
        if (modelName != null) diags.error(m.span(), "the model is named twice");
        modelName = m.name();
      } else if (d instanceof Ast.VarDecl v) {
        if (define(v.name(), v.nameSpan(), defined)) (v.observed() ? data : latents).put(v.name(), v);
      } else if (d instanceof Ast.NetworkDecl n) {
        if (define(n.name(), n.nameSpan(), defined)) nets.put(n.name(), n);
      } else if (d instanceof Ast.Section s) {
        sections.add(s);
      } else if (d instanceof Ast.TrainDecl t) {
        if (train != null) diags.error(t.span(), "duplicate train section", "the first one is at line " + train.span().line());
        else train = t;
      }
    }
    Ast.Setting noData = train == null ? null : train.settings().stream()
        .filter(t -> t.key().equals("dataset") && t.value() instanceof Ast.Name n && n.name().equals(TrainSettings.NO_DATA)).findFirst().orElse(null);
    if (data.isEmpty() && noData == null) {
      diags.error(new Span(1, 1, 1), "the model declares no observed data",
          "add a line like: data x : real[784] in [0, 1] (or, to fit the guide to the prior alone, such as an energy U1(), write dataset = none in the train section)");
    } else if (!data.isEmpty() && noData != null) {
      diags.error(noData.value().span(), "dataset = none is for a model without data, but this one declares '" + data.keySet().iterator().next() + "'",
          "name the dataset its data comes from (mnist_digits, fashion_mnist or a file path in quotes)");
    }

    Map<String, Span> priorSites = new LinkedHashMap<>();
    Map<String, Span> guideSites = new LinkedHashMap<>();
    Map<String, Span> likelihoodSites = new LinkedHashMap<>();
    for (Ast.Section s : sections) {
      Map<String, Span> locals = new HashMap<>();
      // Guide sites may come in any order across statements (the planner orders the work by
      // dependency); inside one guide block statements run in order, so a latent that the block
      // samples further down cannot be read above its sampling statement.
      Set<String> sampledLaterInBlock = new LinkedHashSet<>();
      if (s.kind() == Ast.SectionKind.GUIDE) {
        for (Ast.Stmt st : s.stmts()) if (st instanceof Ast.Sample smp) sampledLaterInBlock.add(smp.target());
      }
      Set<String> sampledInGuide = sampledLaterInBlock;
      for (Ast.Stmt st : s.stmts()) {
        if (st instanceof Ast.Assign a) {
            checkExpr(a.value(), s.kind(), locals, data, latents, nets, sampledInGuide);
            for (int i = 0; i < a.targets().size(); i++) {
              String t = a.targets().get(i);
              Span sp = a.targetSpans().get(i);
              if (defined.containsKey(t)) {
                diags.error(sp, "'" + t + "' is already defined at line " + defined.get(t).line(), "choose another name for this local value");
              } else if (locals.containsKey(t)) {
                diags.error(sp, "duplicate definition of '" + t + "'", "it was first defined at line " + locals.get(t).line());
              } else locals.put(t, sp);
            }
          } else if (st instanceof Ast.Sample smp) {
            checkDistribution(smp, s.kind(), locals, data, latents, nets, sampledInGuide);
            String t = smp.target();
            boolean isData = data.containsKey(t);
            boolean isLatent = latents.containsKey(t);
            if (!isData && !isLatent) {
              List<String> known = new ArrayList<>(s.kind() == Ast.SectionKind.LIKELIHOOD ? data.keySet() : latents.keySet());
              diags.error(smp.targetSpan(), "unknown variable '" + t + "'", Suggest.didYouMean(t, known));
              continue;
            }
            switch (s.kind()) {
              case LIKELIHOOD -> {
                if (!isData) diags.error(smp.targetSpan(), "'" + t + "' is a latent variable; the likelihood samples observed data",
                    "put its distribution in the prior and the guide");
                else once(t, smp.targetSpan(), likelihoodSites, "likelihood");
              }
              case PRIOR, GUIDE -> {
                if (!isLatent) diags.error(smp.targetSpan(), "'" + t + "' is observed data; only latents have a "
                    + s.kind().name().toLowerCase(), "give its distribution in the likelihood section");
                else {
                  once(t, smp.targetSpan(), s.kind() == Ast.SectionKind.PRIOR ? priorSites : guideSites, s.kind().name().toLowerCase());
                  if (s.kind() == Ast.SectionKind.GUIDE) sampledLaterInBlock.remove(t);
                }
              }
            }
        }
      }
    }
    for (Ast.VarDecl l : latents.values()) {
      boolean hasPrior = priorSites.containsKey(l.name());
      boolean hasGuide = guideSites.containsKey(l.name());
      if (!hasPrior && !hasGuide) diags.error(l.nameSpan(), "latent '" + l.name() + "' has neither a prior nor a guide",
          "add: prior " + l.name() + " ~ Normal(0, 1)  and a guide statement for it");
      else if (!hasPrior) diags.error(guideSites.get(l.name()), "latent '" + l.name() + "' has a guide but no prior",
          "add a prior, e.g.: prior " + l.name() + " ~ Normal(0, 1)");
      else if (!hasGuide) diags.error(priorSites.get(l.name()), "latent '" + l.name() + "' has a prior but no guide",
          "add a guide statement, e.g.: guide " + l.name() + " ~ Normal(mu, sigma)");
    }
    // Data a likelihood scores is observed; data the model only reads is a conditioning input.
    for (Ast.VarDecl d : data.values()) {
      if (!likelihoodSites.containsKey(d.name()) && !dataRead.contains(d.name())) {
        diags.error(d.nameSpan(), "data '" + d.name() + "' is declared but never scored or read",
            "score it (likelihood " + d.name() + " ~ ...), read it in an expression as a conditioning input, or remove it");
      }
    }
    if (!data.isEmpty() && likelihoodSites.isEmpty()) {
      Ast.VarDecl first = data.values().iterator().next();
      diags.error(first.nameSpan(), "no likelihood scores any data; the model needs at least one",
          "add, e.g.: likelihood " + first.name() + " ~ Bernoulli(logits = decoder(z))");
    }
    return new Symbols(modelName == null ? "model" : modelName, data, latents, nets, sections, train,
        new LinkedHashSet<>(likelihoodSites.keySet()));
  }

  private void once(String name, Span span, Map<String, Span> seen, String what) {
    if (seen.containsKey(name)) {
      diags.error(span, "'" + name + "' has two " + what + " statements", "the first is at line " + seen.get(name).line());
    } else seen.put(name, span);
  }

  private boolean define(String name, Span span, Map<String, Span> defined) {
    if (defined.containsKey(name)) {
      diags.error(span, "duplicate definition of '" + name + "'", "it was first defined at line " + defined.get(name).line());
      return false;
    }
    if (catalog.function(name).isPresent() || catalog.distribution(name).isPresent() || BUILTINS.contains(name)) {
      diags.error(span, "'" + name + "' is a built-in name", "choose another name");
      return false;
    }
    defined.put(name, span);
    return true;
  }

  private void checkDistribution(Ast.Sample s, Ast.SectionKind kind, Map<String, Span> locals, Map<String, Ast.VarDecl> data,
                                 Map<String, Ast.VarDecl> latents, Map<String, Ast.NetworkDecl> nets, Set<String> sampled) {
    if (!(s.distribution() instanceof Ast.Call c)) {
      diags.error(s.distribution().span(), "expected a distribution after '~'", "for example: Normal(0, 1); known: "
          + String.join(", ", catalog.distributionNames()));
      return;
    }
    if (catalog.flow(c.callee()).isPresent()) {
      checkFlow(s, c, kind, locals, data, latents, nets, sampled);
      return;
    }
    if (catalog.distribution(c.callee()).isEmpty()) {
      List<String> known = new ArrayList<>(catalog.distributionNames());
      if (kind == Ast.SectionKind.GUIDE) known.addAll(catalog.flowNames());
      diags.error(c.calleeSpan(), "unknown distribution '" + c.callee() + "'", Suggest.didYouMean(c.callee(), known));
    }
    for (Ast.Arg a : c.args()) checkExpr(a.value(), kind, locals, data, latents, nets, sampled);
  }

  /**
   * A normalizing flow around a base distribution, {@code Planar(Normal(mu, s), length = 10)}: only
   * in a guide, its first argument a distribution (not another flow); the settings' values and
   * widths are the shape checker's.
   */
  private void checkFlow(Ast.Sample s, Ast.Call c, Ast.SectionKind kind, Map<String, Span> locals, Map<String, Ast.VarDecl> data,
                         Map<String, Ast.VarDecl> latents, Map<String, Ast.NetworkDecl> nets, Set<String> sampled) {
    String example = c.callee() + "(Normal(mu, sigma), length = 4)";
    if (kind != Ast.SectionKind.GUIDE) {
      diags.error(c.calleeSpan(), "a normalizing flow (" + c.callee() + ") is a guide family; the " + kind.name().toLowerCase()
          + " takes a distribution", "write the flow in the guide: " + s.target() + " ~ " + example);
      return;
    }
    if (c.args().isEmpty() || c.args().get(0).name() != null || !(c.args().get(0).value() instanceof Ast.Call base)) {
      diags.error(c.span(), c.callee() + " wraps a base distribution, given first", "for example: " + example);
      return;
    }
    if (catalog.flow(base.callee()).isPresent()) {
      diags.error(base.calleeSpan(), "a flow's base is a distribution, not another flow", "set a longer length instead: " + example);
      return;
    }
    if (catalog.distribution(base.callee()).isEmpty()) {
      diags.error(base.calleeSpan(), "unknown distribution '" + base.callee() + "'", Suggest.didYouMean(base.callee(), catalog.distributionNames()));
    }
    for (Ast.Arg a : base.args()) checkExpr(a.value(), kind, locals, data, latents, nets, sampled);
    for (Ast.Arg a : c.args().subList(1, c.args().size())) checkExpr(a.value(), kind, locals, data, latents, nets, sampled);
  }

  private void checkExpr(Ast.Expr e, Ast.SectionKind kind, Map<String, Span> locals, Map<String, Ast.VarDecl> data,
                         Map<String, Ast.VarDecl> latents, Map<String, Ast.NetworkDecl> nets, Set<String> sampled) {
    if (e instanceof Ast.Name n) {
        String id = n.name();
        if (locals.containsKey(id)) return;
        if (data.containsKey(id)) {
          dataRead.add(id);
          return;
        }
        if (latents.containsKey(id)) {
          if (kind == Ast.SectionKind.GUIDE && sampled.contains(id)) {
            diags.error(n.span(), "the guide uses latent '" + id + "' before sampling it",
                "this block samples " + id + " further down; sample it before this line");
          }
          return;
        }
        if (nets.containsKey(id)) {
          diags.error(n.span(), "'" + id + "' is a network; call it on a value, like " + id + "(x)");
          return;
        }
        if (catalog.distribution(id).isPresent()) {
          diags.error(n.span(), "'" + id + "' is a distribution; it can only follow '~'");
          return;
        }
        List<String> visible = new ArrayList<>(locals.keySet());
        visible.addAll(data.keySet());
        visible.addAll(latents.keySet());
        diags.error(n.span(), "unknown name '" + id + "'", Suggest.didYouMean(id, visible));
    } else if (e instanceof Ast.Call c) {
        String f = c.callee();
        if (!nets.containsKey(f) && catalog.function(f).isEmpty() && !BUILTINS.contains(f)) {
          if (catalog.distribution(f).isPresent()) {
            diags.error(c.calleeSpan(), "distribution '" + f + "' used as a value", "distributions can only follow '~'");
          } else {
            List<String> callable = new ArrayList<>(nets.keySet());
            callable.addAll(catalog.functionNames());
            callable.addAll(BUILTINS);
            diags.error(c.calleeSpan(), "unknown function or network '" + f + "'", Suggest.didYouMean(f, callable));
          }
        }
        for (Ast.Arg a : c.args()) checkExpr(a.value(), kind, locals, data, latents, nets, sampled);
    } else if (e instanceof Ast.Binary b) {
      checkExpr(b.left(), kind, locals, data, latents, nets, sampled);
      checkExpr(b.right(), kind, locals, data, latents, nets, sampled);
    } else if (e instanceof Ast.Negate n) {
      checkExpr(n.operand(), kind, locals, data, latents, nets, sampled);
    } else if (e instanceof Ast.SliceExpr s) {
      checkExpr(s.target(), kind, locals, data, latents, nets, sampled);
    } else if (e instanceof Ast.Arrow a) {
      diags.error(a.span(), "'->' only describes network layer widths, as in MLP(784 -> 400 -> 40)");
    }
  }
}
