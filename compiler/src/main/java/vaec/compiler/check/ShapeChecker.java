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
import vaec.compiler.ir.IrExpr;
import vaec.compiler.ir.ProbModel;
import vaec.compiler.ir.Site;
import vaec.compiler.ir.Variable;
import vaec.runtime.data.ValueDomain;
import vaec.compiler.ir.Origin;
import vaec.runtime.kernels.Activation;
import vaec.stdlib.Catalog;
import vaec.stdlib.distributions.DistributionFamily;
import vaec.stdlib.distributions.ParamSpec;
import vaec.stdlib.networks.NetTerm;
import vaec.stdlib.networks.NetworkError;
import vaec.stdlib.networks.NetworkFamily;
import vaec.stdlib.networks.NetworkSpec;

/**
 * Pass 3: widths and domains, and the probabilistic IR built from the checked statements.
 * Every expression gets a width (a scalar constant broadcasts); network inputs, distribution
 * arguments, slices and arithmetic must agree; a distribution's arguments must be of the right
 * kind; a likelihood's support must hold the data's declared domain, and a latent's declared type
 * the draws of its prior and guide.
 */
public final class ShapeChecker {
  private final Catalog catalog;
  private final SourceFile file;
  private final Diagnostics diags;
  private final Map<String, Variable> vars = new LinkedHashMap<>();
  /** Whether the model declares no data (it trains with dataset = none). */
  private boolean dataFree;
  private final Map<String, NetworkSpec> networks = new LinkedHashMap<>();

  private ShapeChecker(Catalog catalog, SourceFile file) {
    this.catalog = catalog;
    this.file = file;
    this.diags = new Diagnostics(file);
  }

  public static ProbModel check(Symbols symbols, SourceFile file, Catalog catalog) {
    ShapeChecker c = new ShapeChecker(catalog, file);
    ProbModel m = c.run(symbols);
    c.diags.throwIfAny();
    return m;
  }

  /**
   * Variables whose declared size was refused (reported at the declaration): their width is not
   * known, so every expression that reads them and every statement that samples them is left
   * unchecked. Checking them with a made-up width only added follow-on "shape mismatch" errors
   * to the one that counts.
   */
  private final Set<String> refusedSize = new java.util.HashSet<>();

  private ProbModel run(Symbols s) {
    List<Variable> data = new ArrayList<>();
    List<Variable> latents = new ArrayList<>();
    for (Ast.VarDecl v : s.data().values()) data.add(variable(v));
    for (Ast.VarDecl v : s.latents().values()) latents.add(variable(v));
    for (Variable v : data) vars.put(v.name(), v);
    dataFree = data.isEmpty();
    for (Variable v : latents) vars.put(v.name(), v);
    for (Ast.NetworkDecl n : s.networks().values()) {
      NetworkSpec spec = network(n);
      if (spec != null) networks.put(n.name(), spec);
    }
    List<Site> guide = new ArrayList<>();
    List<Site> prior = new ArrayList<>();
    List<Site> likelihood = new ArrayList<>();
    List<vaec.compiler.ir.SemiImplicitBlock> semiImplicit = new ArrayList<>();
    for (Ast.Section sec : s.sections()) {
      Map<String, IrExpr> locals = new HashMap<>();
      Integer k = sec.modifier() == null ? null : semiImplicitK(sec);
      // noise(m) is allowed in a guide block with a modifier even when the modifier was refused (one diagnostic, not two)
      noiseAllowed = k != null || (sec.kind() == Ast.SectionKind.GUIDE && sec.modifier() != null);
      List<Site> blockSites = new ArrayList<>();
      boolean blockFailed = false;   // a statement of the section was refused (reported); its block is not checked further
      for (Ast.Stmt st : sec.stmts()) {
        Origin origin = new Origin(file.name(), st.span().line(), st.span().column(), st.text());
        if (st instanceof Ast.Assign a) {
          assign(a, locals, origin);
        } else if (st instanceof Ast.Sample smp) {
          Site site = site(smp, sec.kind(), locals, origin);
          if (site == null) {
            blockFailed = true;
            continue;
          }
          if (k != null) {
            blockSites.add(site);
            String whyNot = vaec.stdlib.sivi.SemiImplicit.whyNot(site.family());
            if (whyNot != null) diags.error(((Ast.Call) smp.distribution()).calleeSpan(), whyNot,
                "sample discrete or flow latents in a guide block of their own, outside semi_implicit(...)");
          }
          switch (sec.kind()) {
            case GUIDE -> guide.add(site);
            case PRIOR -> prior.add(site);
            case LIKELIHOOD -> likelihood.add(site);
          }
        }
      }
      noiseAllowed = false;
      if (k != null && !blockFailed) semiImplicitBlock(sec, k, blockSites, semiImplicit);
    }
    // The train section is checked here too, so its mistakes are reported with the model's.
    // (not the data whose size was refused: their bindings would only be checked against a made-up width)
    List<Variable> sized = data.stream().filter(v -> !refusedSize.contains(v.name())).toList();
    DataBindings.check(s, DataBindings.inputs(s, sized, s.scored()), TrainSettings.read(s.train(), diags, catalog), diags);
    List<Variable> ordered = new ArrayList<>();
    for (Site g : guide) ordered.add(vars.get(g.variable()));
    return new ProbModel(s.modelName(), file, data, ordered, networks, guide, prior, likelihood,
        TrainSettings.objectiveRequest(s.train()), semiImplicit);
  }

  /** Whether expressions may read noise(m): inside a semi-implicit guide block. */
  private boolean noiseAllowed;

  /**
   * A section's modifier, which only {@code guide semi_implicit(K = k)} may have: its K, or null
   * after a diagnostic.
   */
  private Integer semiImplicitK(Ast.Section sec) {
    Ast.Call m = sec.modifier();
    String kw = vaec.stdlib.sivi.SemiImplicit.KEYWORD;
    if (!m.callee().equals(kw)) {
      diags.error(m.calleeSpan(), "unknown " + sec.kind().name().toLowerCase() + " modifier '" + m.callee() + "'",
          Suggest.didYouMean(m.callee(), List.of(kw)) != null ? Suggest.didYouMean(m.callee(), List.of(kw))
              : "the one modifier is for guides: guide " + kw + "(K = 20) { ... }");
      return null;
    }
    if (sec.kind() != Ast.SectionKind.GUIDE) {
      diags.error(m.calleeSpan(), kw + " applies to a guide block, not to the " + sec.kind().name().toLowerCase(),
          "write: guide " + kw + "(K = 20) { ... }");
      return null;
    }
    Double k = null;
    for (Ast.Arg a : m.args()) {
      if (a.name() != null && !a.name().equals(vaec.stdlib.sivi.SemiImplicit.K)) {
        diags.error(a.span(), kw + " has no setting '" + a.name() + "'", "its one setting: K, the number of extra draws of the mixing noise");
        return null;
      }
      if (k != null) {
        diags.error(a.span(), "K given twice");
        return null;
      }
      Double v = a.value() instanceof Ast.Num n ? (Double) n.value()
          : a.value() instanceof Ast.Negate ng && ng.operand() instanceof Ast.Num n ? (Double) (-n.value()) : null;
      if (v == null) {
        diags.error(a.value().span(), "K of " + kw + " must be a number written in the file");
        return null;
      }
      String bad = vaec.stdlib.sivi.SemiImplicit.whyNotK(v);
      if (bad != null) {
        diags.error(a.value().span(), bad, "K extra draws of the noise make the surrogate bound L_K; K = 0 is the degenerate bound, which SIVI avoids");
        return null;
      }
      k = v;
    }
    if (k == null) {
      diags.error(m.span(), kw + " needs K, the number of extra draws of the mixing noise", "write: guide " + kw + "(K = 20) { ... }");
      return null;
    }
    return k.intValue();
  }

  /** A checked semi-implicit block: at least one latent, and conditionals that read noise. */
  private void semiImplicitBlock(Ast.Section sec, int k, List<Site> sites, List<vaec.compiler.ir.SemiImplicitBlock> out) {
    if (sites.isEmpty()) {
      diags.error(sec.modifier().span(), "this semi-implicit guide block samples no latent", "sample the latents whose conditionals read noise(m) in it");
      return;
    }
    boolean noisy = false;
    for (Site q : sites) for (IrExpr e : q.args().values()) noisy |= IrExpr.readsNoise(e);
    if (!noisy) {
      diags.error(sec.modifier().span(), "no conditional of this semi-implicit guide reads noise(...), so its parameters are not random",
          "draw the mixing variable in the block, like: psi = mixer(concat(x, noise(3))), and give the conditionals arguments computed from psi");
      return;
    }
    out.add(new vaec.compiler.ir.SemiImplicitBlock(sites.stream().map(Site::variable).toList(), k, sec.modifier().span()));
  }


  /** A {@code using} clause as the IR holds it, independent of the syntax tree. */
  static vaec.compiler.ir.EstimatorRequest request(Ast.Call c) {
    if (c == null) return null;
    List<vaec.compiler.ir.EstimatorRequest.Arg> args = new ArrayList<>();
    for (Ast.Arg a : c.args()) {
      Object v = a.value() instanceof Ast.Num n ? (Object) n.value() : a.value() instanceof Ast.Name n ? n.name()
          : a.value() instanceof Ast.Negate neg && neg.operand() instanceof Ast.Num n ? (Object) (-n.value()) : null;
      args.add(new vaec.compiler.ir.EstimatorRequest.Arg(a.name(), v, a.span(), a.value().span()));
    }
    return new vaec.compiler.ir.EstimatorRequest(c.callee(), c.calleeSpan(), c.span(), args);
  }

  private Variable variable(Ast.VarDecl v) {
    Ast.Type t = v.type();
    long width = 1;
    for (int d : t.dims()) {
      if (d <= 0 || d > 100_000_000) {
        if (refusedSize.add(v.name())) {   // one error per declaration, at its first bad size
          diags.error(t.span(), d == Integer.MAX_VALUE ? "dimension of '" + v.name() + "' is too large: it must be between 1 and 100000000"
              : "dimension " + d + " of '" + v.name() + "' must be between 1 and 100000000");
        }
      }
      width *= Math.max(1, d);
    }
    ValueDomain domain = switch (t.kind()) {
      case "real" -> ValueDomain.REAL;
      case "binary" -> ValueDomain.BINARY;
      case "onehot" -> ValueDomain.ONE_HOT;
      case "codes" -> ValueDomain.CODES;
      case "count" -> ValueDomain.COUNT;
      case "tokens", "chars", "words" -> ValueDomain.TOKENS;
      default -> {
        diags.error(t.span(), "unknown type '" + t.kind() + "'", Suggest.didYouMean(t.kind(), List.of("real", "binary", "onehot", "count", "codes", "tokens", "words")));
        yield ValueDomain.REAL;
      }
    };
    if (t.low() != null) {
      if (domain != ValueDomain.REAL) diags.error(t.span(), "a value range applies only to real data", "write: real[...] in [0, 1]");
      else if (t.low() == 0.0 && t.high() == 1.0) domain = ValueDomain.UNIT_INTERVAL;
      else diags.error(t.span(), "unsupported value range [" + fmt(t.low()) + ", " + fmt(t.high()) + "]", "supported: real (any value) or real[...] in [0, 1]");
    }
    String decl = (v.observed() ? "data " : "latent ") + v.name() + " : " + typeText(t);
    if (domain == ValueDomain.TOKENS) return tokens(v, t, decl);
    int w = (int) Math.min(width, Integer.MAX_VALUE);
    int group = domain == ValueDomain.ONE_HOT && t.dims().size() > 1 ? Math.max(1, t.dims().get(t.dims().size() - 1)) : w;
    if (domain == ValueDomain.ONE_HOT && group < 2) {
      diags.error(t.span(), "a one-hot group of '" + v.name() + "' needs at least 2 classes, got " + group,
          "onehot[n, k] is n groups of k classes, k >= 2");
      group = w;
    }
    if (domain == ValueDomain.CODES) group = codesGroup(v, t, w);
    return new Variable(v.name(), w, domain, decl, v.nameSpan(), group);
  }

  /**
   * codes[width, positions...]: code vectors of {@code width} at each position of the grid that
   * the other sizes give (codes[64, 7, 7]: 49 positions), laid out channels first like an image of
   * width channels; the group is the code width.
   */
  private int codesGroup(Ast.VarDecl v, Ast.Type t, int w) {
    if (v.observed()) {
      diags.error(t.span(), "codes is a latent type: the vectors of a learned codebook, not data",
          "declare the data real[...], and the latent: latent z : codes[width, positions]");
      return w;
    }
    if (t.dims().size() < 2) {
      diags.error(t.span(), "codes takes the width of each code vector, then the positions, got one size",
          "for example codes[16, 32]: 32 positions, each a vector of width 16; codes[64, 7, 7]: a 7 x 7 grid of vectors of width 64");
      return w;
    }
    return Math.max(1, t.dims().get(0));
  }

  /**
   * A token sequence: tokens[L, V] (characters; also chars[L, V]) or words[L, V], L positions (the
   * tokens, the end token, padding) over V token ids (four reserved), stored as L ids per example.
   */
  private Variable tokens(Ast.VarDecl v, Ast.Type t, String decl) {
    String how = "write " + t.kind() + "[L, V]: sequences of at most L - 1 tokens and their end mark, over V token ids (4 reserved), like "
        + t.kind() + "[16, 40]";
    if (!v.observed()) diags.error(t.span(), "'" + t.kind() + "' is a data type: a latent cannot be a token sequence");
    else if (t.dims().size() != 2) diags.error(t.span(), t.kind() + " takes a maximum length and a vocabulary size", how);
    else if (t.dims().get(0) < 2 || t.dims().get(1) < 5) diags.error(t.span(), "a token sequence needs length >= 2 and vocabulary >= 5", how);
    else if (t.low() != null) diags.error(t.span(), "a value range applies only to real data");
    else return new Variable(v.name(), t.dims().get(0), ValueDomain.TOKENS, decl, v.nameSpan(), t.dims().get(1));
    return new Variable(v.name(), 2, ValueDomain.TOKENS, decl, v.nameSpan(), 5);
  }

  private static String typeText(Ast.Type t) {
    StringBuilder b = new StringBuilder(t.kind()).append('[');
    for (int i = 0; i < t.dims().size(); i++) b.append(i == 0 ? "" : ", ").append(t.dims().get(i));
    b.append(']');
    if (t.low() != null) b.append(" in [").append(fmt(t.low())).append(", ").append(fmt(t.high())).append(']');
    return b.toString();
  }

  static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
  }

  private NetworkSpec network(Ast.NetworkDecl n) {
    Ast.Call c = n.spec();
    NetworkFamily fam = catalog.network(c.callee()).orElse(null);
    if (fam == null) {
      diags.error(c.calleeSpan(), "unknown network type '" + c.callee() + "'", Suggest.didYouMean(c.callee(), catalog.networkNames()));
      return null;
    }
    List<NetTerm.Arg> args = new ArrayList<>();
    for (Ast.Arg a : c.args()) args.add(new NetTerm.Arg(a.name(), netTerm(a.value()), a.span()));
    try {
      return fam.build(n.name(), args, c.span());
    } catch (NetworkError e) {
      Span at = e.where() instanceof Span s ? s : c.span();
      String hint = e.got() == null ? null : Suggest.didYouMean(e.got(), e.candidates());
      diags.error(at, e.getMessage(), hint);
      return null;
    }
  }

  /** A network declaration's argument as its family reads it, with source spans as positions. */
  private NetTerm netTerm(Ast.Expr e) {
    if (e instanceof Ast.Num num) return new NetTerm.Num(num.value(), num.span());
    if (e instanceof Ast.Name nm) return new NetTerm.Name(nm.name(), nm.span());
    if (e instanceof Ast.Arrow ar) {
      List<NetTerm> items = new ArrayList<>();
      for (Ast.Expr it : ar.items()) items.add(netTerm(it));
      return new NetTerm.Chain(items, ar.span());
    }
    if (e instanceof Ast.Call call) {
      List<NetTerm.Arg> args = new ArrayList<>();
      for (Ast.Arg a : call.args()) args.add(new NetTerm.Arg(a.name(), netTerm(a.value()), a.span()));
      return new NetTerm.Call(call.callee(), args, call.span(), call.calleeSpan());
    }
    String text = e instanceof Ast.Str str ? "\"" + str.value() + "\"" : e instanceof Ast.Negate ng && ng.operand() instanceof Ast.Num num
        ? "-" + fmt(num.value()) : "an expression";
    return new NetTerm.Other(text, e.span());
  }

  private void assign(Ast.Assign a, Map<String, IrExpr> locals, Origin origin) {
    List<String> ts = a.targets();
    if (ts.size() == 1) {
      if (a.value() instanceof Ast.Call c && c.callee().equals("split")) {
        diags.error(a.span(), "split gives several values; name each, like: mu, log_sigma = split(h)");
        return;
      }
      IrExpr v = expr(a.value(), locals, origin);
      if (v != null) locals.put(ts.get(0), v);
      return;
    }
    if (!(a.value() instanceof Ast.Call c) || !c.callee().equals("split")) {
      diags.error(a.value().span(), "only split(...) gives several values", "write: " + String.join(", ", ts) + " = split(h)");
      return;
    }
    if (c.args().isEmpty()) {
      diags.error(c.span(), "split needs the value to split, like split(h) or split(h, 20, 20)");
      return;
    }
    IrExpr whole = expr(c.args().get(0).value(), locals, origin);
    if (whole == null) return;
    List<Integer> sizes = new ArrayList<>();
    if (c.args().size() == 1) {
      if (whole.width() % ts.size() != 0) {
        diags.error(c.span(), "cannot split width " + whole.width() + " into " + ts.size() + " equal parts",
            "give the sizes: split(h, ...)");
        return;
      }
      for (int i = 0; i < ts.size(); i++) sizes.add(whole.width() / ts.size());
    } else {
      for (Ast.Arg arg : c.args().subList(1, c.args().size())) {
        if (arg.value() instanceof Ast.Num n && n.value() == Math.rint(n.value()) && n.value() >= 1) sizes.add((int) n.value());
        else {
          diags.error(arg.span(), "split sizes must be positive whole numbers");
          return;
        }
      }
      if (sizes.size() != ts.size()) {
        diags.error(c.span(), "split gives " + sizes.size() + " parts but " + ts.size() + " names receive them");
        return;
      }
      int sum = sizes.stream().mapToInt(Integer::intValue).sum();
      if (sum != whole.width()) {
        diags.error(c.span(), "shape mismatch: split sizes add up to " + sum + " but the value has width " + whole.width());
        return;
      }
    }
    int from = 0;
    for (int i = 0; i < ts.size(); i++) {
      locals.put(ts.get(i), new IrExpr.Slice(whole, from, from + sizes.get(i), origin));
      from += sizes.get(i);
    }
  }

  private Site site(Ast.Sample s, Ast.SectionKind kind, Map<String, IrExpr> locals, Origin origin) {
    if (refusedSize.contains(s.target())) return null;   // its size was refused at its declaration
    Variable target = vars.get(s.target());
    Ast.Call c = (Ast.Call) s.distribution();
    var flow = catalog.flow(c.callee());
    if (flow.isPresent()) return flowSite(s, c, flow.get(), kind, locals, origin);
    DistributionFamily fam = catalog.distribution(c.callee()).orElseThrow();
    Map<String, Ast.Arg> named = new LinkedHashMap<>();
    List<ParamSpec> defaults = fam.parameterizations().get(0);
    int positional = 0;
    boolean ok = true;
    for (Ast.Arg a : c.args()) {
      String name;
      if (a.name() == null) {
        if (!named.isEmpty() && named.values().stream().anyMatch(x -> x.name() != null)) {
          diags.error(a.span(), "positional argument after a named one");
          ok = false;
          continue;
        }
        if (positional >= defaults.size()) {
          diags.error(a.span(), fam.name() + " takes " + defaults.size() + " argument" + (defaults.size() == 1 ? "" : "s"), fam.signature());
          ok = false;
          continue;
        }
        name = defaults.get(positional++).name();
      } else name = a.name();
      if (named.containsKey(name)) {
        diags.error(a.span(), "argument '" + name + "' given twice");
        ok = false;
      }
      named.put(name, a);
    }
    if (!ok) return null;
    List<ParamSpec> params = fam.parameterizationFor(named.keySet());
    if (params == null) {
      Set<String> known = new LinkedHashSet<>();
      fam.parameterizations().forEach(p -> p.forEach(x -> known.add(x.name())));
      for (String n : named.keySet()) {
        if (!known.contains(n)) {
          diags.error(named.get(n).span(), fam.name() + " has no argument '" + n + "'", Suggest.didYouMean(n, known));
          return null;
        }
      }
      diags.error(c.span(), "wrong arguments for " + fam.name(), "expected " + fam.signature());
      return null;
    }
    Map<String, IrExpr> args = new LinkedHashMap<>();
    Set<String> deps = new LinkedHashSet<>();
    for (ParamSpec p : params) {
      Ast.Arg a = named.get(p.name());
      if (a.value() instanceof Ast.Str str) {
        diags.error(a.value().span(), "argument '" + p.name() + "' of " + fam.name() + " must be a number or a value, not a string");
        ok = false;
        continue;
      }
      IrExpr v = expr(a.value(), locals, origin);
      if (v == null) { ok = false; continue; }
      if (p.constant() && !(v instanceof IrExpr.Const)) {
        diags.error(a.value().span(), "the " + p.name() + " of " + fam.name() + " must be a number, not a computed value",
            "to anneal it, relax a discrete latent instead: using concrete(temperature = 1, anneal = 3e-5, min_temperature = 0.5)");
        ok = false;
        continue;
      }
      if (v instanceof IrExpr.Const k && !p.constraint().admits(k.value())) {
        diags.error(a.value().span(), "argument '" + p.name() + "' of " + fam.name() + " must be " + p.constraint() + ", got " + fmt(k.value()));
        ok = false;
      }
      int expected = fam.grouped(target.groupSize(), target.width()).parameterWidth(p.name(), target.width());
      // A number is broadcast to the width the argument needs (MultivariateNormal(0, 0) is N(0, I)).
      if (v.width() != 0 && v.width() != expected) {
        diags.error(a.value().span(), "shape mismatch: argument '" + p.name() + "' of " + fam.name() + " has width " + v.width()
            + (expected == target.width() ? " but " + target.name() + " has width " + target.width()
                : " but " + target.name() + " of width " + target.width() + " needs width " + expected),
            "declared as: " + target.declaration());
        ok = false;
      }
      collectLatents(v, deps);
      args.put(p.name(), v);
    }
    // Domains: the data must lie in what the likelihood can score; a latent's declared type must
    // be what its prior and guide draw.
    if (kind == Ast.SectionKind.LIKELIHOOD) {
      if (!fam.support().contains(target.domain())) {
        diags.error(c.calleeSpan(), fam.name() + " likelihood has support " + fam.support() + " but '" + target.name()
            + "' is declared " + target.domain(), supportHint(fam, target));
        ok = false;
      }
    } else if (fam.drawDomain() != target.domain()) {
      diags.error(c.calleeSpan(), fam.name() + " draws " + fam.drawDomain() + " values but latent '" + target.name() + "' is declared "
          + target.domain(), "declared as: " + target.declaration());
      ok = false;
    }
    if (ok) {
      DistributionFamily.Section section = switch (kind) {
        case PRIOR -> DistributionFamily.Section.PRIOR;
        case GUIDE -> DistributionFamily.Section.GUIDE;
        case LIKELIHOOD -> DistributionFamily.Section.LIKELIHOOD;
      };
      DistributionFamily.Misplaced m = fam.misplaced(new DistributionFamily.Placement(section, target.name(), target.width(), !dataFree));
      if (m != null) {
        diags.error(c.calleeSpan(), m.why(), m.hint());
        ok = false;
      }
    }
    if (!ok) return null;
    Site.Role role = switch (kind) {
      case PRIOR -> Site.Role.PRIOR;
      case GUIDE -> Site.Role.GUIDE;
      case LIKELIHOOD -> Site.Role.LIKELIHOOD;
    };
    fam = fam.grouped(target.groupSize(), target.width());   // onehot[n, k]: n groups of k, each one-hot
    Map<String, Double> constants = new LinkedHashMap<>();
    for (var e : args.entrySet()) if (e.getValue() instanceof IrExpr.Const k) constants.put(e.getKey(), k.value());
    fam = fam.atSite(target.name(), constants);              // a family with parameters of its own (a codebook)
    return new Site(target.name(), role, fam, args, target.width(), origin, s.span(), request(s.estimator()), deps);
  }

  /**
   * {@code z ~ Planar(Normal(mu, s), length = 10, params = h)}: the base site checked as if written
   * alone, then the flow's settings (whole numbers in their ranges), its amortized parameters
   * ({@code params}, exactly as wide as the flow needs) and context, and the flow's own conditions
   * on the latent's width. The site's family is the configured {@link FlowFamily}; its arguments
   * are the base's, plus {@code params} and {@code context}.
   */
  private Site flowSite(Ast.Sample s, Ast.Call c, vaec.stdlib.flows.Flow flow, Ast.SectionKind kind, Map<String, IrExpr> locals,
                        Origin origin) {
    Variable target = vars.get(s.target());
    if (!(c.args().get(0).value() instanceof Ast.Call baseCall)) return null;   // reported by the resolver
    Site base = site(new Ast.Sample(s.target(), baseCall, null, s.span(), s.targetSpan(), s.text()), kind, locals, origin);
    if (base == null) return null;
    boolean ok = true;
    if (base.family().isDiscrete() || !base.family().hasPathwiseSampler()) {
      diags.error(baseCall.calleeSpan(), "a " + flow.name() + " flow needs a continuous base with a pathwise sampler, and "
          + base.family().name() + (base.family().isDiscrete() ? " is discrete" : " has none"),
          "flows transform real-valued latents: " + s.target() + " ~ " + flow.name() + "(Normal(mu, sigma), length = 4)");
      return null;
    }
    Map<String, Integer> settings = new LinkedHashMap<>();
    Map<String, vaec.stdlib.flows.FlowSetting> known = new LinkedHashMap<>();
    for (var fs : flow.settings()) known.put(fs.name(), fs);
    List<String> accepted = new ArrayList<>(known.keySet());
    if (flow.amortizable()) accepted.add(vaec.stdlib.flows.FlowFamily.PARAMS);
    if (flow.takesContext()) accepted.add(vaec.stdlib.flows.FlowFamily.CONTEXT);
    Ast.Arg paramsArg = null;
    Ast.Arg contextArg = null;
    int d = target.width();
    for (Ast.Arg a : c.args().subList(1, c.args().size())) {
      if (a.name() == null) {
        diags.error(a.span(), "after the base distribution, " + flow.name() + " takes named settings", "accepted: " + String.join(", ", accepted));
        ok = false;
      } else if (settings.containsKey(a.name()) || (a.name().equals(vaec.stdlib.flows.FlowFamily.PARAMS) && paramsArg != null)
          || (a.name().equals(vaec.stdlib.flows.FlowFamily.CONTEXT) && contextArg != null)) {
        diags.error(a.span(), "setting '" + a.name() + "' given twice");
        ok = false;
      } else if (known.containsKey(a.name())) {
        var fs = known.get(a.name());
        int max = fs.maxFor(d);
        if (a.value() instanceof Ast.Num n && n.value() == Math.rint(n.value()) && n.value() >= fs.min() && n.value() <= max) {
          settings.put(a.name(), (int) n.value());
        } else {
          diags.error(a.value().span(), "the " + a.name() + " of " + flow.name() + " must be a whole number from " + fs.min() + " to " + max
              + (a.value() instanceof Ast.Num n ? ", got " + fmt(n.value()) : ", not a computed value"), fs.meaning());
          ok = false;
        }
      } else if (a.name().equals(vaec.stdlib.flows.FlowFamily.PARAMS) && flow.amortizable()) {
        paramsArg = a;
      } else if (a.name().equals(vaec.stdlib.flows.FlowFamily.CONTEXT) && flow.takesContext()) {
        contextArg = a;
      } else {
        String why = a.name().equals(vaec.stdlib.flows.FlowFamily.PARAMS)
            ? flow.name() + " takes no params: its steps are networks with global weights; give it a context = h from the encoder instead"
            : a.name().equals(vaec.stdlib.flows.FlowFamily.CONTEXT) ? flow.name() + " reads no context; amortize it with params = h"
            : flow.name() + " has no setting '" + a.name() + "'";
        diags.error(a.span(), why, Suggest.didYouMean(a.name(), accepted) != null ? Suggest.didYouMean(a.name(), accepted) : "accepted: " + String.join(", ", accepted));
        ok = false;
      }
    }
    if (!ok) return null;
    for (var fs : flow.settings()) settings.putIfAbsent(fs.name(), fs.defaultFor(d));
    String whyNot = flow.whyNot(d, settings);
    if (whyNot != null) {
      diags.error(c.calleeSpan(), whyNot, "declared as: " + target.declaration());
      return null;
    }
    Map<String, IrExpr> args = new LinkedHashMap<>(base.args());
    Set<String> deps = new LinkedHashSet<>(base.dependsOn());
    int context = 0;
    if (contextArg != null) {
      IrExpr v = expr(contextArg.value(), locals, origin);
      if (v == null) return null;
      if (v.width() == 0) {
        diags.error(contextArg.value().span(), "the context of " + flow.name() + " is a value computed from the data (like h from the encoder), not a number");
        return null;
      }
      context = v.width();
      collectLatents(v, deps);
      args.put(vaec.stdlib.flows.FlowFamily.CONTEXT, v);
    }
    List<ParamSpec> baseParams = base.family().parameterizationFor(base.args().keySet());
    var fam = new vaec.stdlib.flows.FlowFamily(target.name(), flow, base.family(), baseParams, settings, d, paramsArg != null, context);
    if (paramsArg != null) {
      IrExpr v = expr(paramsArg.value(), locals, origin);
      if (v == null) return null;
      if (v.width() != fam.paramsWidth()) {
        diags.error(paramsArg.value().span(), "shape mismatch: params of " + flow.name() + " must have width " + fam.paramsWidth() + " ("
            + settings.get("length") + " steps x " + fam.stepParameters() + " parameters for a latent of width " + d + "), got "
            + (v.width() == 0 ? "a number" : "width " + v.width()), "for example, a network whose last layer has " + fam.paramsWidth() + " units");
        return null;
      }
      collectLatents(v, deps);
      args.put(vaec.stdlib.flows.FlowFamily.PARAMS, v);
    }
    return new Site(target.name(), base.role(), fam, args, d, origin, s.span(), request(s.estimator()), deps);
  }

  private static String supportHint(DistributionFamily fam, Variable target) {
    if (fam.support() == ValueDomain.COUNT) {
      return "counts are declared " + target.name() + " : count[" + target.width() + "] (whole numbers 0, 1, 2, ...)";
    }
    if (target.domain() == ValueDomain.REAL) {
      return "declare the data's range (" + target.name() + " : real[" + target.width() + "] in [0, 1]) or use Normal for real values";
    }
    return "declared as: " + target.declaration();
  }

  private static void collectLatents(IrExpr e, Set<String> out) {
    if (e instanceof IrExpr.Latent l) out.add(l.name());
    else if (e instanceof IrExpr.Fn f) collectLatents(f.arg(), out);
    else if (e instanceof IrExpr.Arith a) {
      collectLatents(a.left(), out);
      collectLatents(a.right(), out);
    } else if (e instanceof IrExpr.NetCall n) collectLatents(n.input(), out);
    else if (e instanceof IrExpr.Slice s) collectLatents(s.target(), out);
    else if (e instanceof IrExpr.Concat c) c.parts().forEach(p -> collectLatents(p, out));
  }

  private IrExpr expr(Ast.Expr e, Map<String, IrExpr> locals, Origin o) {
    if (e instanceof Ast.Num n) return constant(n.value(), n.span(), "this number", o);
    if (e instanceof Ast.Str s) {
      diags.error(s.span(), "a string is not a value here");
      return null;
    }
    if (e instanceof Ast.Name n) {
        if (locals.containsKey(n.name())) return locals.get(n.name());
        Variable v = vars.get(n.name());
        if (v == null) return null;   // reported by the resolver
        if (refusedSize.contains(v.name())) return null;   // its size was refused at its declaration
        return v.span() != null && isData(v) ? new IrExpr.Data(v.name(), v.width(), o) : new IrExpr.Latent(v.name(), v.width(), o);
    }
    if (e instanceof Ast.Negate n) {
        IrExpr x = expr(n.operand(), locals, o);
        if (x == null) return null;
        if (x instanceof IrExpr.Const k) return new IrExpr.Const(-k.value(), o);
        return new IrExpr.Arith('*', new IrExpr.Const(-1, o), x, o);
    }
    if (e instanceof Ast.Binary b) {
        IrExpr l = expr(b.left(), locals, o);
        IrExpr r = expr(b.right(), locals, o);
        if (l == null || r == null) return null;
        if (l instanceof IrExpr.Const x && r instanceof IrExpr.Const y) {
          if (b.op() == '/' && y.value() == 0) {
            diags.error(b.span(), "division by zero");
            return null;
          }
          double v = fold(b.op(), x.value(), y.value());
          return constant(v, b.span(), fmt(x.value()) + " " + b.op() + " " + fmt(y.value()), o);
        }
        if (l.width() != 0 && r.width() != 0 && l.width() != r.width()) {
          diags.error(b.span(), "shape mismatch: '" + b.op() + "' between values of width " + l.width() + " and " + r.width());
          return null;
        }
        if (b.op() == '/' && r instanceof IrExpr.Const y && y.value() == 0) {
          diags.error(b.span(), "division by zero");
          return null;
        }
        return new IrExpr.Arith(b.op(), l, r, o);
    }
    if (e instanceof Ast.SliceExpr s) {
        IrExpr t = expr(s.target(), locals, o);
        if (t == null) return null;
        int from = s.from() == null ? 0 : s.from();
        int to = s.to() == null ? t.width() : s.to();
        if (t.width() == 0) {
          diags.error(s.span(), "cannot slice a number");
          return null;
        }
        if (from >= to || to > t.width()) {
          diags.error(s.span(), "slice [" + from + ":" + to + "] is out of range for a value of width " + t.width(),
              "valid columns are 0 to " + (t.width() - 1));
          return null;
        }
        return from == 0 && to == t.width() ? t : new IrExpr.Slice(t, from, to, o);
    }
    if (e instanceof Ast.Call c) return call(c, locals, o);
    return null;   // an arrow outside a network declaration, reported by the resolver
  }

  private static java.util.Set<String> dataNames(IrExpr e, java.util.Set<String> out) {
    if (e instanceof IrExpr.Data d) out.add(d.name());
    else if (e instanceof IrExpr.Fn fn) dataNames(fn.arg(), out);
    else if (e instanceof IrExpr.Arith a) {
      dataNames(a.left(), out);
      dataNames(a.right(), out);
    } else if (e instanceof IrExpr.NetCall n) dataNames(n.input(), out);
    else if (e instanceof IrExpr.Slice sl) dataNames(sl.target(), out);
    else if (e instanceof IrExpr.Concat cc) cc.parts().forEach(p -> dataNames(p, out));
    return out;
  }

  private boolean isData(Variable v) {
    return v.declaration().startsWith("data ");
  }

  /**
   * A constant of the model's graphs, which compute in 32-bit floats ({@link vaec.runtime.Float32}):
   * a value beyond the float range would become infinity there (and the first step NaN, "in the
   * objective [const 1.0E40]", with no line). The bound is NONZERO, stricter than the settings':
   * a constant that rounds to 0 would silently change the model (a scale of 1e-50 becomes a scale
   * of 0); a subnormal one keeps its value closely enough for a constant, so it passes.
   * {@code subject} names the constant: "this number", "1.0E20 * 1.0E20", "exp(100)".
   */
  private IrExpr constant(double v, Span span, String subject, Origin o) {
    String problem = vaec.runtime.Float32.problem(subject, v, vaec.runtime.Float32.Bound.NONZERO);
    if (problem != null) {
      diags.error(span, problem);
      return null;
    }
    return new IrExpr.Const(v, o);
  }

  private static double fold(char op, double a, double b) {
    return switch (op) {
      case '+' -> a + b;
      case '-' -> a - b;
      case '*' -> a * b;
      default -> a / b;
    };
  }

  private IrExpr call(Ast.Call c, Map<String, IrExpr> locals, Origin o) {
    for (Ast.Arg a : c.args()) {
      if (a.name() != null) {
        diags.error(a.span(), c.callee() + " takes no named arguments");
        return null;
      }
    }
    List<IrExpr> args = new ArrayList<>();
    for (Ast.Arg a : c.args()) {
      IrExpr v = expr(a.value(), locals, o);
      if (v == null) return null;
      args.add(v);
    }
    String f = c.callee();
    if (f.equals("split")) {
      diags.error(c.span(), "split gives several values; use it as: a, b = split(h)");
      return null;
    }
    if (f.equals(vaec.stdlib.sivi.SemiImplicit.NOISE)) {
      if (!noiseAllowed) {
        diags.error(c.calleeSpan(), "noise(...) is allowed only in a semi-implicit guide block, where the surrogate bound accounts for it",
            "write the guide as: guide semi_implicit(K = 20) { psi = mixer(concat(x, noise(3))) ... }");
        return null;
      }
      if (args.size() != 1 || !(args.get(0) instanceof IrExpr.Const m)) {
        diags.error(c.span(), "noise takes one number, its width, like noise(3)");
        return null;
      }
      String bad = vaec.stdlib.sivi.SemiImplicit.whyNotNoise(m.value());
      if (bad != null) {
        diags.error(c.args().get(0).span(), bad);
        return null;
      }
      return new IrExpr.Noise((int) m.value(), o);
    }
    if (f.equals("concat")) {
      if (args.size() < 2) {
        diags.error(c.span(), "concat joins two or more values");
        return null;
      }
      for (int i = 0; i < args.size(); i++) {
        if (args.get(i).width() == 0) {
          diags.error(c.args().get(i).span(), "concat joins values, not numbers");
          return null;
        }
      }
      return new IrExpr.Concat(args, o);
    }
    if (args.size() != 1) {
      diags.error(c.span(), f + " takes exactly one argument, got " + args.size());
      return null;
    }
    IrExpr x = args.get(0);
    NetworkSpec net = networks.get(f);
    if (net != null) {
      if (x.width() != net.inputWidth()) {
        diags.error(c.args().get(0).span(), "shape mismatch: network '" + f + "' takes width " + net.inputWidth()
            + " but is given width " + x.width(), f + " is " + net.architecture());
        return null;
      }
      if (net.tokenVocabulary() > 0) {
        for (String d : dataNames(x, new java.util.LinkedHashSet<>())) {
          Variable v = vars.get(d);
          if (v != null && v.domain() == ValueDomain.TOKENS && v.groupSize() != net.tokenVocabulary()) {
            diags.error(c.args().get(0).span(), "network '" + f + "' reads " + net.tokenVocabulary() + " token ids but '" + d + "' has "
                + v.groupSize(), "declared as: " + v.declaration() + "; " + f + " is " + net.architecture());
            return null;
          }
        }
      }
      return new IrExpr.NetCall(net, x, o);
    }
    if (!catalog.function(f).isPresent()) return null;   // an unknown network already reported
    var fn = catalog.function(f).get();
    if (x instanceof IrExpr.Const k) {
      double v = constFn(fn, k.value());
      if (!Double.isFinite(v)) {
        diags.error(c.span(), f + "(" + fmt(k.value()) + ") is not a finite number");
        return null;
      }
      return constant(v, c.span(), f + "(" + fmt(k.value()) + ")", o);
    }
    return new IrExpr.Fn(f, x, o);
  }

  private static double constFn(vaec.runtime.ops.Unary.Fn fn, double v) {
    return switch (fn) {
      case EXP -> Math.exp(v);
      case LOG -> Math.log(v);
      case SOFTPLUS -> Math.log1p(Math.exp(v));
      case SIGMOID -> 1 / (1 + Math.exp(-v));
      case TANH -> Math.tanh(v);
      case RELU -> Math.max(0, v);
      case SQRT -> Math.sqrt(v);
      case SQUARE -> v * v;
      case ELU -> v > 0 ? v : Math.expm1(v);
      case ABS -> Math.abs(v);
    };
  }
}
