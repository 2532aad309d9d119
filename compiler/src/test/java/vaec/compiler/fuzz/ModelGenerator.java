package vaec.compiler.fuzz;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A seeded generator of random .vae models for the structural fuzz test. The same seed gives the
 * same text.
 *
 * <p>A model has one to three data variables (images in [0, 1] or binary vectors with a Bernoulli
 * likelihood, one-hot labels with a Categorical likelihood, and conditioning inputs that are read
 * but not scored) and one to five latents of six kinds (real Normal, binary Bernoulli by logits or
 * probs, one-hot Categorical, grouped onehot[n, k], positive Gamma, unit-interval Beta; at most
 * three of a kind). The guide and the prior have independent random dependency DAGs among the
 * latents; the guide may read any data, the prior sometimes a data variable (a conditional prior).
 * The guide is written in a random topological order of its DAG; the prior in a random order
 * (the planner orders prior sites itself). Every network is declared with the widths its use
 * needs; expressions use split, slices, concat and arithmetic. Latents get random {@code using}
 * overrides chosen among those that can serve them.
 *
 * <p>About a third of the models are deliberately wrong in one recorded way ({@link Fault}): a
 * guide written out of its dependency order, a cycle among priors, an override that cannot serve
 * its latent, or an override setting out of range. The generator records the lines at which a
 * diagnostic for that fault may point.
 */
public final class ModelGenerator {
  public enum LatentKind { REAL, BINARY, ONEHOT, GROUPED, POSITIVE, UNIT }

  public enum DataKind {
    IMAGE, BINARY, LABEL, COND_REAL, COND_LABEL;

    boolean scored() { return this == IMAGE || this == BINARY || this == LABEL; }
  }

  /** The one way a deliberately wrong model is wrong. */
  public enum Fault { GUIDE_ORDER, PRIOR_CYCLE, IMPOSSIBLE_OVERRIDE, BAD_SETTING }

  /**
   * One generated model. {@code fault} is null when the model is valid by construction (then it
   * must compile); otherwise a diagnostic is due, and {@code faultLines} are the lines it may name.
   * {@code features} lists structural facts for grouping failures (e.g. "prior reads data").
   */
  public record Generated(long seed, String source, Fault fault, Set<Integer> faultLines, Set<String> features,
                          List<String> names) {
    public boolean validByConstruction() { return fault == null; }
  }

  /**
   * The largest product of enumerated support sizes in one model: the lowering repeats the rest of
   * the model once per enumerated value, and graphs of thousands of nodes take seconds to run.
   */
  static final int ENUMERATION_CAP = 16;

  private static final String[] LATENT_NAMES = {"z", "z1", "z2", "z3", "h", "c", "b", "g", "u", "k"};
  private static final String[] DATA_NAMES = {"x", "y", "v"};
  private static final String[] ACTIVATIONS = {"identity", "relu", "tanh", "sigmoid", "softplus", "elu"};

  private static final class Data {
    String name;
    DataKind kind;
    int width;
  }

  private static final class Latent {
    String name;
    LatentKind kind;
    int width;
    int groups;
    int classes;
    final List<String> guideParents = new ArrayList<>();
    final List<String> priorParents = new ArrayList<>();
    boolean guideLogits = true;
    boolean priorLogits = true;
    String override;
    final List<Integer> guideLines = new ArrayList<>();
    int guideSampleLine;
    final List<Integer> priorLines = new ArrayList<>();
  }

  private final Random r;
  private final long seed;
  private final List<String> lines = new ArrayList<>();
  private final Map<String, Data> data = new LinkedHashMap<>();
  private final Map<String, Latent> latents = new LinkedHashMap<>();
  private final List<String> networkDecls = new ArrayList<>();
  private final Set<String> features = new LinkedHashSet<>();
  private int netCount = 0;

  private ModelGenerator(long seed) {
    this.seed = seed;
    this.r = new Random(seed * 0x9E3779B97F4A7C15L + 17);
  }

  public static Generated generate(long seed) {
    return new ModelGenerator(seed).build();
  }

  // ---------------------------------------------------------------- structure

  private Generated build() {
    // Data: the first is always scored; the rest of any kind.
    int nData = 1 + r.nextInt(3);
    for (int i = 0; i < nData; i++) {
      Data d = new Data();
      d.name = DATA_NAMES[i];
      // Conditioning inputs are refused (allowed for now) until the data work lands, which ends the
      // check early: keep them to about a quarter of the models.
      d.kind = i == 0 ? (r.nextBoolean() ? DataKind.IMAGE : DataKind.BINARY)
          : r.nextDouble() < 0.2 ? pick(DataKind.COND_REAL, DataKind.COND_LABEL) : pick(DataKind.IMAGE, DataKind.BINARY, DataKind.LABEL);
      d.width = switch (d.kind) {
        case IMAGE, BINARY -> 4 + r.nextInt(9);
        case LABEL, COND_LABEL -> 2 + r.nextInt(4);
        case COND_REAL -> 1 + r.nextInt(4);
      };
      data.put(d.name, d);
      if (!d.kind.scored()) features.add("conditioning input");
      if (d.kind.scored() && i > 0) features.add("several scored data");
    }

    // Latents: one to five, at most three of a kind, names shuffled.
    int nLatents = 1 + r.nextInt(5);
    List<String> names = new ArrayList<>(List.of(LATENT_NAMES));
    Collections.shuffle(names, r);
    Map<LatentKind, Integer> perKind = new LinkedHashMap<>();
    for (int i = 0; i < nLatents; i++) {
      Latent z = new Latent();
      z.name = names.get(i);
      LatentKind kind;
      do kind = LatentKind.values()[r.nextInt(LatentKind.values().length)]; while (perKind.getOrDefault(kind, 0) >= 3);
      perKind.merge(kind, 1, Integer::sum);
      z.kind = kind;
      switch (kind) {
        case REAL, BINARY -> z.width = 1 + r.nextInt(4);
        case POSITIVE, UNIT -> z.width = 1 + r.nextInt(3);
        case ONEHOT -> { z.classes = 2 + r.nextInt(3); z.groups = 1; z.width = z.classes; }
        case GROUPED -> { z.groups = 2 + r.nextInt(2); z.classes = 2 + r.nextInt(2); z.width = z.groups * z.classes; }
      }
      latents.put(z.name, z);
    }
    List<Latent> zs = new ArrayList<>(latents.values());

    // The guide's DAG: parents come earlier in a random topological order.
    List<Latent> guideOrder = new ArrayList<>(zs);
    Collections.shuffle(guideOrder, r);
    List<String> dataNames = new ArrayList<>(data.keySet());
    for (int i = 0; i < guideOrder.size(); i++) {
      Latent z = guideOrder.get(i);
      for (int j = 0; j < i; j++) if (r.nextDouble() < 0.4) z.guideParents.add(guideOrder.get(j).name);
      for (String x : dataNames) if (r.nextDouble() < 0.6) z.guideParents.add(x);
      if (r.nextDouble() < 0.9 && z.guideParents.stream().noneMatch(data::containsKey)) z.guideParents.add(0, dataNames.get(0));
      Collections.shuffle(z.guideParents, r);
      if (z.guideParents.stream().anyMatch(latents::containsKey)) features.add("guide reads latents");
    }

    // The prior's DAG, independent of the guide's; sometimes it reads a data variable.
    List<Latent> priorOrder = new ArrayList<>(zs);
    Collections.shuffle(priorOrder, r);
    for (int i = 0; i < priorOrder.size(); i++) {
      Latent z = priorOrder.get(i);
      for (int j = 0; j < i; j++) if (r.nextDouble() < 0.4) z.priorParents.add(priorOrder.get(j).name);
      // A prior may read a conditioning input (a scored variable would make the generative story
      // cyclic, since every likelihood here reads some latent: that is a diagnostic, tested apart).
      List<String> inputs = dataNames.stream().filter(x -> !data.get(x).kind.scored()).toList();
      if (!inputs.isEmpty() && r.nextDouble() < 0.3) {
        z.priorParents.add(inputs.get(r.nextInt(inputs.size())));
        features.add("prior reads data");
      }
      Collections.shuffle(z.priorParents, r);
      if (z.priorParents.stream().anyMatch(latents::containsKey)) features.add("hierarchical prior");
    }
    if (isGuideAgainstPrior(guideOrder)) features.add("guide order differs from prior order");

    // Likelihoods: each scored datum reads some latents and maybe conditioning inputs.
    Map<String, List<String>> likParents = new LinkedHashMap<>();
    for (Data d : data.values()) {
      if (!d.kind.scored()) continue;
      List<String> ps = new ArrayList<>();
      for (Latent z : zs) if (r.nextDouble() < 0.6) ps.add(z.name);
      if (ps.isEmpty()) ps.add(zs.get(r.nextInt(zs.size())).name);
      for (Data c : data.values()) if (!c.kind.scored() && r.nextDouble() < 0.5) ps.add(c.name);
      Collections.shuffle(ps, r);
      likParents.put(d.name, ps);
    }
    // Every conditioning input is read somewhere.
    for (Data c : data.values()) {
      if (c.kind.scored()) continue;
      boolean read = zs.stream().anyMatch(z -> z.guideParents.contains(c.name) || z.priorParents.contains(c.name))
          || likParents.values().stream().anyMatch(ps -> ps.contains(c.name));
      if (!read) likParents.values().iterator().next().add(c.name);
    }

    // The fault, if any.
    Fault fault = null;
    if (r.nextDouble() < 0.33) {
      List<Fault> options = new ArrayList<>(List.of(Fault.PRIOR_CYCLE, Fault.IMPOSSIBLE_OVERRIDE, Fault.BAD_SETTING));
      if (zs.size() >= 2) options.add(Fault.GUIDE_ORDER);
      fault = options.get(r.nextInt(options.size()));
    }
    List<Latent> guideText = new ArrayList<>(guideOrder);
    Latent faulty = null;
    if (fault == Fault.GUIDE_ORDER) {
      // Make sure there is an edge, then move its child before its parent.
      Latent child = null;
      Latent parent = null;
      for (Latent z : guideOrder) {
        for (String p : z.guideParents) if (latents.containsKey(p)) { child = z; parent = latents.get(p); }
      }
      if (child == null) {
        parent = guideOrder.get(0);
        child = guideOrder.get(1 + r.nextInt(guideOrder.size() - 1));
        child.guideParents.add(parent.name);
      }
      guideText.remove(child);
      guideText.add(guideText.indexOf(parent), child);
    } else if (fault == Fault.PRIOR_CYCLE) {
      if (zs.size() == 1 || r.nextDouble() < 0.2) {
        Latent z = zs.get(r.nextInt(zs.size()));
        if (!z.priorParents.contains(z.name)) z.priorParents.add(z.name);
        features.add("prior self-loop");
      } else {
        Latent a = priorOrder.get(0);
        Latent b = priorOrder.get(1 + r.nextInt(priorOrder.size() - 1));
        if (!a.priorParents.contains(b.name)) a.priorParents.add(b.name);
        if (!b.priorParents.contains(a.name)) b.priorParents.add(a.name);
      }
    }

    // Parameterizations (logits or probs) and overrides.
    for (Latent z : zs) {
      if (z.kind == LatentKind.BINARY) {
        z.guideLogits = r.nextDouble() < 0.75 || z.guideParents.isEmpty() && r.nextBoolean();
        z.priorLogits = r.nextDouble() < 0.7;
      }
      if (r.nextDouble() < 0.45) z.override = validOverride(z);
    }
    if (fault == Fault.IMPOSSIBLE_OVERRIDE || fault == Fault.BAD_SETTING) {
      faulty = zs.get(r.nextInt(zs.size()));
      faulty.override = fault == Fault.IMPOSSIBLE_OVERRIDE ? impossibleOverride(faulty) : badSetting(faulty);
    }
    // Nested enumeration multiplies the graph: keep the product of enumerated supports small.
    double enumerated = 1;
    for (Latent z : guideText) {
      if (z == faulty) continue;
      boolean enumerates = "enumerate".equals(z.override) || z.override == null && discrete(z) && log2Support(z) <= 6;
      if (!enumerates) continue;
      double size = Math.pow(2, log2Support(z));
      if (enumerated * size > ENUMERATION_CAP) z.override = scoreFunction();
      else enumerated *= size;
    }
    for (Latent z : zs) if (z.override != null) features.add("using " + z.override.replaceAll("\\(.*", ""));

    // ------------------------------------------------------------ text
    Set<Integer> faultLines = new LinkedHashSet<>();
    if (r.nextDouble() < 0.6) emit("model m" + seed);
    emit("// fuzz seed " + seed + (fault == null ? ", valid by construction" : ", deliberately wrong: " + fault));
    for (Data d : data.values()) {
      String type = switch (d.kind) {
        case IMAGE -> "real[" + d.width + "] in [0, 1]";
        case BINARY -> "binary[" + d.width + "]";
        case LABEL, COND_LABEL -> "onehot[" + d.width + "]";
        case COND_REAL -> "real[" + d.width + "]";
      };
      emit("data " + d.name + " : " + type + (d.kind.scored() ? "" : "   // read, not scored"));
    }
    List<Latent> declOrder = new ArrayList<>(zs);
    Collections.shuffle(declOrder, r);
    for (Latent z : declOrder) emit("latent " + z.name + " : " + latentType(z));

    // Sections are generated first (they declare the networks they need), then written.
    List<Latent> priorText = new ArrayList<>(zs);
    Collections.shuffle(priorText, r);
    if (r.nextBoolean()) priorText = topological(priorText);
    boolean priorBlock = r.nextBoolean();
    List<Stmt> priorStmts = new ArrayList<>();
    for (Latent z : priorText) priorStmts.add(distribution(z, "prior", z.priorParents, z.priorLogits, null, priorBlock || r.nextBoolean()));
    List<Stmt> guideStmts = new ArrayList<>();
    // Inside one guide block statements run in order, so a guide out of order there is a fault; as
    // separate guide statements any order is valid (the planner orders the work by dependency).
    boolean guideBlock = fault == Fault.GUIDE_ORDER || r.nextBoolean();
    if (!guideBlock && r.nextDouble() < 0.5) {
      Collections.shuffle(guideText, r);
      features.add("guide statements out of dependency order");
    }
    for (Latent z : guideText) guideStmts.add(distribution(z, "guide", z.guideParents, z.guideLogits, z.override, guideBlock || r.nextBoolean()));
    List<Stmt> likStmts = new ArrayList<>();
    boolean likBlock = r.nextBoolean();
    for (Map.Entry<String, List<String>> e : likParents.entrySet()) likStmts.add(likelihood(data.get(e.getKey()), e.getValue(), likBlock || r.nextBoolean()));

    for (String n : networkDecls) emit(n);
    List<Runnable> sections = new ArrayList<>();
    sections.add(() -> writeSection("prior", priorStmts, priorBlock));
    sections.add(() -> writeSection("guide", guideStmts, guideBlock));
    sections.add(() -> writeSection("likelihood", likStmts, likBlock));
    Collections.shuffle(sections, r);
    for (Runnable s : sections) s.run();
    if (r.nextDouble() < 0.3) emit("train { batch = " + (8 + r.nextInt(8)) + "; epochs = 1; seed = " + r.nextInt(5) + " }");

    switch (fault == null ? Fault.GUIDE_ORDER : fault) {
      case GUIDE_ORDER -> {
        if (fault != null) {
          Set<String> sampled = new LinkedHashSet<>();
          for (Latent z : guideText) {
            for (String p : z.guideParents) {
              if (latents.containsKey(p) && !sampled.contains(p)) { faultLines.addAll(z.guideLines); faultLines.addAll(latents.get(p).guideLines); }
            }
            sampled.add(z.name);
          }
        }
      }
      case PRIOR_CYCLE -> { for (Latent z : zs) faultLines.addAll(z.priorLines); }
      case IMPOSSIBLE_OVERRIDE, BAD_SETTING -> faultLines.add(faulty.guideSampleLine);
    }
    List<String> allNames = new ArrayList<>(data.keySet());
    allNames.addAll(latents.keySet());
    return new Generated(seed, String.join("\n", lines) + "\n", fault, faultLines, features, allNames);
  }

  private boolean isGuideAgainstPrior(List<Latent> guideOrder) {
    // True when some latent's prior reads a latent that the guide samples after it.
    for (int i = 0; i < guideOrder.size(); i++) {
      for (String p : guideOrder.get(i).priorParents) {
        for (int j = i + 1; j < guideOrder.size(); j++) if (guideOrder.get(j).name.equals(p)) return true;
      }
    }
    return false;
  }

  /** A topological order of the prior DAG, stable with respect to {@code order}; the input if there is a cycle. */
  private List<Latent> topological(List<Latent> order) {
    List<Latent> out = new ArrayList<>();
    Set<String> done = new LinkedHashSet<>();
    List<Latent> left = new ArrayList<>(order);
    while (!left.isEmpty()) {
      Latent next = null;
      for (Latent z : left) {
        if (z.priorParents.stream().filter(latents::containsKey).allMatch(done::contains)) { next = z; break; }
      }
      if (next == null) return order;
      out.add(next);
      done.add(next.name);
      left.remove(next);
    }
    return out;
  }

  private static boolean discrete(Latent z) {
    return z.kind == LatentKind.BINARY || z.kind == LatentKind.ONEHOT || z.kind == LatentKind.GROUPED;
  }

  private static double log2Support(Latent z) {
    return switch (z.kind) {
      case BINARY -> z.width;
      case ONEHOT -> Math.log(z.classes) / Math.log(2);
      case GROUPED -> z.groups * Math.log(z.classes) / Math.log(2);
      default -> Double.POSITIVE_INFINITY;
    };
  }

  private static String latentType(Latent z) {
    return switch (z.kind) {
      case REAL, POSITIVE -> "real[" + z.width + "]";
      case UNIT -> "real[" + z.width + "] in [0, 1]";
      case BINARY -> "binary[" + z.width + "]";
      case ONEHOT -> "onehot[" + z.classes + "]";
      case GROUPED -> "onehot[" + z.groups + ", " + z.classes + "]";
    };
  }

  // ---------------------------------------------------------------- overrides

  private String scoreFunction() {
    return switch (r.nextInt(6)) {
      case 0 -> "score_function";
      case 1 -> "score_function(baseline = none)";
      case 2 -> "score_function(baseline = average)";
      case 3 -> "score_function(nvil)";
      default -> "score_function(baseline = nvil)";
    };
  }

  @SafeVarargs
  private <T> T pick(T... options) { return options[r.nextInt(options.length)]; }

  private String validOverride(Latent z) {
    List<String> o = new ArrayList<>();
    o.add(scoreFunction());
    switch (z.kind) {
      case REAL -> { o.add("reparameterized"); o.add("sticking_the_landing"); }
      case BINARY, ONEHOT, GROUPED -> {
        o.add("enumerate");
        boolean logits = z.kind != LatentKind.BINARY || z.guideLogits;
        boolean bothLogits = logits && (z.kind != LatentKind.BINARY || z.priorLogits);
        if (bothLogits) {
          o.add(pick("concrete", "concrete(temperature = 0.5)", "concrete(temperature = 1, anneal = 0.001, min_temperature = 0.2)"));
          o.add(pick("straight_through", "straight_through(temperature = 0.5)"));
        }
        if (z.kind == LatentKind.BINARY && logits) {
          o.add(pick("rebar", "rebar(temperature = 0.5)"));
          o.add(pick("relax", "relax(temperature = 0.5, hidden = 5)", "relax(hidden = 3)"));
        }
      }
      case POSITIVE, UNIT -> { }
    }
    return o.get(r.nextInt(o.size()));
  }

  private String impossibleOverride(Latent z) {
    List<String> o = new ArrayList<>();
    switch (z.kind) {
      case REAL -> o.addAll(List.of("enumerate", "concrete", "straight_through(temperature = 0.5)", "rebar", "relax"));
      case BINARY -> {
        o.addAll(List.of("reparameterized", "sticking_the_landing"));
        if (!z.guideLogits) o.addAll(List.of("concrete", "rebar", "relax", "straight_through"));
        else if (!z.priorLogits) o.add("concrete(temperature = 0.5)");
      }
      case ONEHOT, GROUPED -> o.addAll(List.of("reparameterized", "sticking_the_landing", "rebar", "relax(hidden = 4)"));
      // Gamma and Beta draw pathwise (implicit reparameterization): reparameterized and sticking_the_landing serve them.
      case POSITIVE, UNIT -> o.addAll(List.of("enumerate", "concrete", "rebar", "straight_through"));
    }
    return o.get(r.nextInt(o.size()));
  }

  private String badSetting(Latent z) {
    List<String> o = new ArrayList<>(List.of("score_function(baseline = median)", "score_function(temperature = 0.5)", "nonexistent_estimator"));
    switch (z.kind) {
      case REAL -> o.add("reparameterized(baseline = nvil)");
      case BINARY -> {
        if (z.guideLogits) o.addAll(List.of("rebar(hidden = 10)", "relax(hidden = 2.5)", "relax(temperature = 0)"));
        if (z.guideLogits && z.priorLogits) o.add("concrete(temperature = 0)");
      }
      case ONEHOT, GROUPED -> o.addAll(List.of("concrete(temperature = -1)", "straight_through(anneal = -0.5)"));
      default -> { }
    }
    return o.get(r.nextInt(o.size()));
  }

  // ---------------------------------------------------------------- statements

  /** A statement's lines: locals (only inside a block) then the sample; {@code latent} is null for likelihoods. */
  private record Stmt(Latent latent, List<String> locals, String sample) {}

  private void writeSection(String kind, List<Stmt> stmts, boolean block) {
    boolean prior = kind.equals("prior");
    boolean guide = kind.equals("guide");
    if (block) {
      emit(kind + " {");
      for (Stmt s : stmts) {
        for (String l : s.locals()) record(s, prior, guide, emit("  " + l), false);
        record(s, prior, guide, emit("  " + s.sample()), true);
      }
      emit("}");
    } else {
      for (Stmt s : stmts) {
        if (s.locals().isEmpty()) record(s, prior, guide, emit(kind + " " + s.sample()), true);
        else {
          int open = emit(kind + " {");
          record(s, prior, guide, open, false);
          for (String l : s.locals()) record(s, prior, guide, emit("  " + l), false);
          record(s, prior, guide, emit("  " + s.sample()), true);
          record(s, prior, guide, emit("}"), false);
        }
      }
    }
  }

  private void record(Stmt s, boolean prior, boolean guide, int line, boolean sample) {
    if (s.latent() == null) return;
    if (prior) s.latent().priorLines.add(line);
    if (guide) {
      s.latent().guideLines.add(line);
      if (sample) s.latent().guideSampleLine = line;
    }
  }

  private int emit(String line) {
    lines.add(line);
    return lines.size();
  }

  private int widthOf(String name) {
    if (data.containsKey(name)) return data.get(name).width;
    return latents.get(name).width;
  }

  /** An expression reading {@code parents}, with its width. */
  private record Value(String text, int width) {}

  private Value input(List<String> parents) {
    List<Value> parts = new ArrayList<>();
    for (String p : parents) {
      int w = widthOf(p);
      Data d = data.get(p);
      double u = r.nextDouble();
      if (d != null && w >= 4 && u < 0.2) {
        int m = 1 + r.nextInt(w - 1);
        parts.add(r.nextBoolean() ? new Value(p + "[0:" + m + "]", m) : new Value(p + "[" + m + ":]", w - m));
      } else if (d != null && w >= 2 && u < 0.25) {
        parts.add(new Value(p + "[:" + (w - 1) + "]", w - 1));
      } else if (u < 0.35) {
        parts.add(new Value(pick("(2 * " + p + " - 1)", p + " * 0.5", "(" + p + " + 1) / 2", "-" + p), w));
      } else {
        parts.add(new Value(p, w));
      }
    }
    if (parts.size() == 1) return parts.get(0);
    StringBuilder b = new StringBuilder("concat(");
    int w = 0;
    for (int i = 0; i < parts.size(); i++) {
      b.append(i == 0 ? "" : ", ").append(parts.get(i).text());
      w += parts.get(i).width();
    }
    return new Value(b.append(')').toString(), w);
  }

  /** Declares a network from {@code in} to {@code out} and returns its name. */
  private String network(String prefix, int in, int out) {
    String name = prefix + "_" + (netCount++);
    String decl;
    switch (r.nextInt(4)) {
      case 0 -> decl = "Linear(" + in + " -> " + out + ")";
      case 1 -> decl = "MLP(" + in + " -> " + (2 + r.nextInt(7)) + " -> " + out + ")";
      case 2 -> decl = "MLP(" + in + " -> " + (2 + r.nextInt(7)) + " -> " + (2 + r.nextInt(7)) + " -> " + out
          + ", activation = " + pick(ACTIVATIONS) + ")";
      default -> decl = "MLP(" + in + " -> " + (2 + r.nextInt(7)) + " -> " + out + ", activation = " + pick(ACTIVATIONS) + ")";
    }
    networkDecls.add("network " + name + " = " + decl);
    return name;
  }

  /** The loc/scale-like pair of slices of {@code h} (width 2w). */
  private String[] halves(String h, int w) {
    if (w == 1 && r.nextBoolean()) return new String[] {h + "[0]", h + "[1]"};
    return switch (r.nextInt(3)) {
      case 0 -> new String[] {h + "[0:" + w + "]", h + "[" + w + ":]"};
      case 1 -> new String[] {h + "[:" + w + "]", h + "[" + w + ":" + (2 * w) + "]"};
      default -> new String[] {h + "[0:" + w + "]", h + "[" + w + ":" + (2 * w) + "]"};
    };
  }

  private String positive(String s) {
    return pick("exp(" + s + ")", "exp(0.5 * " + s + ")", "softplus(" + s + ") + 0.01", "exp(" + s + " / 2)", "sqrt(square(" + s + ") + 0.1)");
  }

  private String real(String s) {
    return pick(s, s, "tanh(" + s + ") * 2", s + " + 0.5", "-" + s, "(" + s + ")");
  }

  /** The prior or guide statement of {@code z}. */
  private Stmt distribution(Latent z, String role, List<String> parents, boolean logits, String override, boolean block) {
    String using = override == null ? "" : " using " + override;
    String t = "t_" + role.charAt(0) + "_" + z.name;
    List<String> locals = new ArrayList<>();
    int w = z.width;
    if (parents.isEmpty()) {
      String d = switch (z.kind) {
        case REAL -> pick("Normal(0, 1)", "Normal(0.5, 2)", "Normal(loc = 0, scale = 1)", "Normal(-1, 0.5)");
        case BINARY -> logits ? pick("Bernoulli(logits = 0)", "Bernoulli(0.5)") : pick("Bernoulli(probs = 0.5)", "Bernoulli(probs = 0.2)");
        case ONEHOT, GROUPED -> pick("Categorical(logits = 0)", "OneHotCategorical(logits = 0)", "Categorical(0)");
        case POSITIVE -> pick("Gamma(2, 1)", "Gamma(concentration = 1.5, rate = 2)");
        case UNIT -> pick("Beta(2, 2)", "Beta(concentration1 = 1, concentration0 = 3)");
      };
      return new Stmt(z, locals, z.name + " ~ " + d + using);
    }
    Value in = input(parents);
    String sample;
    switch (z.kind) {
      case REAL -> {
        String net = network(role.charAt(0) + "_" + z.name, in.width(), 2 * w);
        if (block && r.nextBoolean()) {
          if (r.nextBoolean()) locals.add(t + "_mu, " + t + "_s = split(" + net + "(" + in.text() + ")" + (r.nextBoolean() ? ", " + w + ", " + w : "") + ")");
          else {
            locals.add(t + "_h = " + net + "(" + in.text() + ")");
            String[] hs = halves(t + "_h", w);
            locals.add(t + "_mu = " + hs[0]);
            locals.add(t + "_s = " + hs[1]);
          }
          sample = "Normal(" + real(t + "_mu") + ", " + positive(t + "_s") + ")";
        } else {
          String[] hs = halves(net + "(" + in.text() + ")", w);
          sample = r.nextBoolean() ? "Normal(" + real(hs[0]) + ", " + positive(hs[1]) + ")"
              : "Normal(loc = " + hs[0] + ", scale = " + positive(hs[1]) + ")";
        }
      }
      case BINARY -> {
        String net = network(role.charAt(0) + "_" + z.name, in.width(), w);
        String l = net + "(" + in.text() + ")";
        if (block && r.nextBoolean()) {
          locals.add(t + "_l = " + l);
          l = t + "_l";
        }
        l = pick(l, l, l + " - 0.5", "2 * " + l);
        sample = logits ? pick("Bernoulli(logits = " + l + ")", "Bernoulli(" + l + ")") : "Bernoulli(probs = sigmoid(" + l + "))";
      }
      case ONEHOT, GROUPED -> {
        String net = network(role.charAt(0) + "_" + z.name, in.width(), w);
        String l = net + "(" + in.text() + ")";
        if (block && r.nextBoolean()) {
          locals.add(t + "_l = " + l);
          l = t + "_l";
        }
        sample = pick("Categorical(logits = " + l + ")", "OneHotCategorical(logits = " + l + ")", "Categorical(" + l + " * 0.5)");
      }
      default -> {
        String net = network(role.charAt(0) + "_" + z.name, in.width(), 2 * w);
        String family = z.kind == LatentKind.POSITIVE ? "Gamma" : "Beta";
        if (block && r.nextBoolean()) {
          locals.add(t + "_h = softplus(" + net + "(" + in.text() + ")) + 0.1");
          String[] hs = halves(t + "_h", w);
          sample = family + "(" + hs[0] + ", " + hs[1] + ")";
        } else {
          String[] hs = halves(net + "(" + in.text() + ")", w);
          sample = family + "(softplus(" + hs[0] + ") + 0.1, " + pick("exp(", "softplus(") + hs[1] + ") + 0.05)";
        }
      }
    }
    return new Stmt(z, locals, z.name + " ~ " + sample + using);
  }

  private Stmt likelihood(Data d, List<String> parents, boolean block) {
    Value in = input(parents);
    String net = network("d_" + d.name, in.width(), d.width);
    String l = net + "(" + in.text() + ")";
    List<String> locals = new ArrayList<>();
    if (block && r.nextBoolean()) {
      locals.add("t_l_" + d.name + " = " + l);
      l = "t_l_" + d.name;
    }
    String sample = switch (d.kind) {
      case LABEL -> pick("Categorical(logits = " + l + ")", "OneHotCategorical(" + l + ")");
      default -> r.nextDouble() < 0.8 ? pick("Bernoulli(logits = " + l + ")", "Bernoulli(" + l + ")")
          : "Bernoulli(probs = sigmoid(" + l + "))";
    };
    return new Stmt(null, locals, d.name + " ~ " + sample);
  }
}
