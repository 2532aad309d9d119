package vaec.stdlib.flows;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.model.ParamInit;
import vaec.runtime.ops.Binary;
import vaec.runtime.ops.FlowStep;
import vaec.runtime.ops.Slice;
import vaec.runtime.ops.StopGradient;
import vaec.stdlib.distributions.DistributionFamily;
import vaec.stdlib.distributions.Draw;
import vaec.stdlib.distributions.ParamSpec;

/**
 * One guide site's flow, configured: the {@link Flow} family, its settings, the base distribution
 * with the arguments it was written with, and where the steps' parameters come from (global, or a
 * {@code params} value per example, and a {@code context} value). As a {@link DistributionFamily}
 * it draws z_K and gives log q(z_K) = log q0(z_0) - sum_k log|det J_k| along the draw
 * ({@link #rsampleWithLogProb}); it cannot score a value it did not draw ({@link #scoresAnyValue}),
 * so only pathwise estimators serve it, and its KL term is Monte Carlo. Its mean, for
 * reconstructions and active units, is the base's mean pushed through the flow.
 */
public final class FlowFamily extends DistributionFamily {
  /** The argument that carries amortized step parameters. */
  public static final String PARAMS = "params";
  /** The argument that carries the context the steps' networks read. */
  public static final String CONTEXT = "context";

  private final String latent;
  private final Flow flow;
  private final DistributionFamily base;
  private final List<ParamSpec> baseParams;
  private final Map<String, Integer> settings;
  private final int width;
  private final boolean amortized;
  private final int context;

  public FlowFamily(String latent, Flow flow, DistributionFamily base, List<ParamSpec> baseParams, Map<String, Integer> settings, int width,
                    boolean amortized, int context) {
    this.latent = latent;
    this.flow = flow;
    this.base = base;
    this.baseParams = List.copyOf(baseParams);
    this.settings = Map.copyOf(settings);
    this.width = width;
    this.amortized = amortized;
    this.context = context;
  }

  public Flow flow() { return flow; }
  public DistributionFamily base() { return base; }
  public int length() { return settings.get("length"); }
  /** The latent's width. */
  public int width() { return width; }
  /** Whether the steps' parameters come per example from {@code params} (else they are global). */
  public boolean amortized() { return amortized; }
  /** The context's width, 0 when the flow reads none. */
  public int contextWidth() { return context; }
  public Map<String, Integer> settings() { return settings; }

  /** Parameters of one step. */
  public int stepParameters() { return flow.stepParameters(width, settings, context); }

  /** The width {@code params = h} must have: length x one step's parameters. */
  public int paramsWidth() { return length() * stepParameters(); }

  @Override public String name() { return flow.name(); }

  @Override
  public List<List<ParamSpec>> parameterizations() {
    List<ParamSpec> p = new ArrayList<>(baseParams);
    if (amortized) p.add(new ParamSpec(PARAMS, ParamSpec.Constraint.REAL));
    if (context > 0) p.add(new ParamSpec(CONTEXT, ParamSpec.Constraint.REAL));
    return List.of(p);
  }

  @Override
  public int parameterWidth(String parameter, int valueWidth) {
    if (parameter.equals(PARAMS)) return paramsWidth();
    if (parameter.equals(CONTEXT)) return context;
    return base.parameterWidth(parameter, valueWidth);
  }

  @Override public ValueDomain support() { return base.support(); }
  @Override public ValueDomain drawDomain() { return base.drawDomain(); }
  @Override public boolean hasPathwiseSampler() { return base.hasPathwiseSampler(); }
  @Override public boolean isDiscrete() { return false; }
  @Override public boolean scoresAnyValue() { return false; }

  @Override
  public String noClosedFormKl(DistributionFamily prior) {
    return "a flow has no closed form: log q(z_K) = log q0(z_0) - sum of the " + length() + " steps' log|det J| is taken along the draw";
  }

  @Override
  public List<ParamInit> params(String latent) {
    return amortized ? List.of() : flow.params(latent, width, settings, context);
  }

  /** Global parameter count (0 when amortized), for the summary. */
  public long globalParameterCount() {
    long n = 0;
    for (ParamInit p : params(latent)) {
      long s = 1;
      for (long d : p.shape()) s *= d;
      n += s;
    }
    return n;
  }

  @Override
  public String describeSite(java.util.Collection<String> argumentNames) {
    List<String> baseArgs = new ArrayList<>();
    for (String a : argumentNames) if (!a.equals(PARAMS) && !a.equals(CONTEXT)) baseArgs.add(a);
    StringBuilder b = new StringBuilder(flow.name()).append(" flow, length ").append(length());
    for (var s : flow.settings()) if (!s.name().equals("length")) b.append(", ").append(s.name()).append(' ').append(settings.get(s.name()));
    b.append(", on ").append(base.describeSite(baseArgs)).append("; ");
    if (amortized) b.append(String.format(java.util.Locale.ROOT, "%,d parameters per example from params (%d per step)", paramsWidth(), stepParameters()));
    else b.append(String.format(java.util.Locale.ROOT, "%,d global parameters", globalParameterCount()));
    if (context > 0) b.append(", context of width ").append(context);
    return b.toString();
  }

  private Map<String, Node> baseArgs(Map<String, Node> args) {
    Map<String, Node> out = new LinkedHashMap<>(args);
    out.remove(PARAMS);
    out.remove(CONTEXT);
    return out;
  }

  /** Step k's theta inputs: the global parameters LATENT.flow.K.BLOCK (held: behind a stop-gradient) or a slice of params. */
  private List<Node> theta(Graph g, SourceRef o, Map<String, Node> args, int k, String site, boolean held) {
    List<Node> in = new ArrayList<>();
    if (amortized) {
      int p = stepParameters();
      in.add(g.apply(new Slice(k * p, (k + 1) * p), o, args.get(PARAMS)));
    } else {
      int[] blocks = flow.blocks(width, settings, context);
      List<String> names = flow.blockNames(context > 0);
      for (int i = 0; i < blocks.length; i++) {
        Node p = g.param(Flow.paramName(latent, k, names.get(i)), blocks[i]);
        in.add(held ? g.apply(new StopGradient(), o, p) : p);
      }
    }
    if (context > 0) in.add(args.get(CONTEXT));
    return in;
  }

  private Node[] inputs(Node z, List<Node> theta) {
    Node[] in = new Node[1 + theta.size()];
    in[0] = z;
    for (int i = 0; i < theta.size(); i++) in[1 + i] = theta.get(i);
    return in;
  }

  /** z_0 through the K steps; with {@code logQ} non-null, log q0(z_0) minus each step's log|det|. */
  private Draw push(Graph g, SourceRef o, Node z, Node logQ, Map<String, Node> args, Map<String, Node> heldArgs, String site) {
    boolean held = heldArgs != null && heldArgs != args;
    for (int k = 0; k < length(); k++) {
      FlowStep step = flow.step(width, k, settings, !amortized, context);
      Node out = g.apply(step, o, inputs(z, theta(g, o, args, k, site, false)));
      if (logQ != null) {
        Node ld = held
            ? g.apply(new Slice(width, width + 1), o, g.apply(flow.step(width, k, settings, !amortized, context), o,
                inputs(z, theta(g, o, heldArgs, k, site, true))))
            : g.apply(new Slice(width, width + 1), o, out);
        logQ = g.apply(new Binary(Binary.Kind.SUB), o, logQ, ld);
      }
      z = g.apply(new Slice(0, width), o, out);
    }
    return new Draw(z, logQ);
  }

  @Override
  public Draw rsampleWithLogProb(Graph g, SourceRef o, Map<String, Node> args, UnaryOperator<Map<String, Node>> densityArgs,
                                 int w, String site) {
    Node z0 = base.rsample(g, o, baseArgs(args), w, site);
    Map<String, Node> held = densityArgs.apply(args);   // after the draw, as the default hook orders them
    Node logQ0 = base.logProb(g, o, z0, baseArgs(held));
    return push(g, o, z0, logQ0, args, held, site);
  }

  @Override
  public Node rsample(Graph g, SourceRef o, Map<String, Node> args, int w, String site) {
    return push(g, o, base.rsample(g, o, baseArgs(args), w, site), null, args, args, site).value();
  }

  @Override
  public Node sample(Graph g, SourceRef o, Map<String, Node> args, int w, String site) {
    return push(g, o, base.sample(g, o, baseArgs(args), w, site), null, args, args, site).value();
  }

  /** The base's mean pushed through the flow (a point summary: the flow's mean has no closed form). */
  @Override
  public Node mean(Graph g, SourceRef o, Map<String, Node> args) {
    return push(g, o, base.mean(g, o, baseArgs(args)), null, args, args, latent).value();
  }

  @Override
  public Node logProb(Graph g, SourceRef o, Node value, Map<String, Node> args) {
    throw new UnsupportedOperationException(name() + " flow gives log q(z) only along its own draws (rsampleWithLogProb)");
  }
}
