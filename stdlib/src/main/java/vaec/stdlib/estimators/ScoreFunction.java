package vaec.stdlib.estimators;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.model.ParamInit;
import vaec.runtime.kernels.Activation;
import vaec.runtime.ops.Binary;
import vaec.runtime.ops.RunningBaseline;
import vaec.runtime.ops.Unary;
import vaec.stdlib.networks.LayerSpec;
import vaec.stdlib.networks.DenseNetwork;
import vaec.stdlib.networks.NetworkSpec;

/**
 * The score-function (REINFORCE) estimator (Williams 1992): a draw without gradient, and the
 * surrogate -stop(f - b) log q(z), where f sums only the terms that depend on z
 * (Rao-Blackwellization by dependency) and b is the baseline: none, a running average of f, or
 * NVIL's running average plus a network that predicts the rest from the data (Mnih and Gregor
 * 2014; their variance normalization is not applied, since Adam rescales the gradient).
 */
public final class ScoreFunction extends GradientEstimator {
  /** Hidden width of NVIL's baseline network. */
  public static final int NVIL_HIDDEN = 100;
  /** Decay of the running-average baseline. */
  public static final double BASELINE_DECAY = 0.99;

  @Override public String keyword() { return "score_function"; }

  @Override public String whyNot(LatentSite z) { return z.guide().whyNoDensity(); }

  @Override
  public List<Setting> settings() {
    return List.of(Setting.choice("baseline", "average", List.of("none", "average", "nvil"),
        "none; average: a running average of the learning signal; nvil: that average plus a learned input-dependent network"));
  }

  @Override
  public String describe(LatentSite z, Settings s) {
    return "control variate: " + switch (s.choice("baseline")) {
      case "none" -> "none";
      case "average" -> "running-average baseline";
      default -> "learned input-dependent baseline (NVIL): running average plus a network predicting the rest";
    } + "; Rao-Blackwellized: the score is weighted only by the terms that depend on " + z.name();
  }

  @Override
  public List<ParamInit> params(LatentSite z, Settings s) {
    List<ParamInit> ps = new ArrayList<>();
    if (s.choice("baseline").equals("none")) return ps;
    ps.add(ParamInit.constant(z.name() + ".baseline", 0, 2));
    if (s.choice("baseline").equals("nvil")) ps.addAll(nvilNetwork(z).params());
    return ps;
  }

  static NetworkSpec nvilNetwork(LatentSite z) {
    return new DenseNetwork(z.name() + ".nvil", "MLP",
        List.of(new LayerSpec(z.dataWidth(), NVIL_HIDDEN, Activation.TANH), new LayerSpec(NVIL_HIDDEN, 1, Activation.IDENTITY)));
  }

  /**
   * A draw without gradient and its density terms: also how the relaxing estimators draw where
   * only values are wanted (the evaluation graph, a control variate's evaluation).
   */
  static List<Term> drawExactly(LatentStep step, Node[] logQOut) {
    LatentSite z = step.latent();
    Map<String, Node> qArgs = step.guideArgs();
    Node value = z.guide().sample(step.graph(), step.guideOrigin(), qArgs, z.width(), z.name());
    step.bind(value);
    Node logQ = z.guide().logProb(step.graph(), step.guideOrigin(), value, qArgs);
    logQOut[0] = logQ;
    return step.densityTerms(value, logQ);
  }

  /** Lowering where only the objective's value is wanted: an exact draw and the rest. */
  static Part valuesOnly(LatentStep step) {
    return then(drawExactly(step, new Node[1]), step.rest());
  }

  @Override
  public Part lower(LatentStep step) {
    Node[] logQ = new Node[1];
    List<Term> terms = new ArrayList<>(drawExactly(step, logQ));
    Part rest = step.rest();
    terms.addAll(rest.terms());
    if (step.valuesOnly()) return new Part(terms, rest.surrogate());
    Graph g = step.graph();
    SourceRef o = step.guideOrigin();
    LatentSite z = step.latent();
    Node signal = stop(g, o, step.signal(terms));
    Node surrogate = rest.surrogate();
    Node advantage = signal;
    switch (step.settings().choice("baseline")) {
      case "none" -> { }
      case "average" -> {
        Node state = step.param("baseline", 2);
        advantage = sub(g, o, signal, g.apply(new RunningBaseline(BASELINE_DECAY), o, signal, state));
      }
      default -> {
        // As in Mnih and Gregor (2014): the signal is first centred by its running average, and the
        // network predicts what is left from the input, so it helps from the first step on.
        Node state = step.param("baseline", 2);
        Node centred = sub(g, o, signal, g.apply(new RunningBaseline(BASELINE_DECAY), o, signal, state));
        Node b = nvilNetwork(z).apply(g, o, step.dataInput());
        advantage = sub(g, o, centred, stop(g, o, b));
        // The baseline network learns to predict the centred signal: squared error, gradient to b only.
        surrogate = sum(g, surrogate, g.apply(new Unary(Unary.Fn.SQUARE), o, sub(g, o, centred, b)));
      }
    }
    Node scored = g.apply(new Binary(Binary.Kind.MUL), o, stop(g, o, advantage), logQ[0]);
    return new Part(terms, sum(g, surrogate, neg(g, o, scored)));
  }
}
