package vaec.stdlib.distributions;

import java.util.List;
import java.util.Map;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.NoiseKind;
import vaec.runtime.graph.Op;
import vaec.runtime.graph.Schedule;
import vaec.runtime.graph.SourceRef;
import vaec.stdlib.distributions.ParamSpec.Constraint;

/**
 * What the two Concrete relaxations share (Maddison, Mnih and Teh 2017; Jang, Gu and Poole 2017):
 * arguments (logits, temperature), values in [0, 1], a pathwise sampler driven by uniform noise,
 * and ops that take the temperature (fixed or scheduled) as a setting. Subclasses name their
 * sampling and density ops.
 */
abstract class RelaxedFamily extends DistributionFamily {
  /** The reparameterized draw op for a temperature. */
  abstract Op sampleOp(Schedule temperature);

  /** The log-density op for a temperature. */
  abstract Op densityOp(Schedule temperature);

  @Override
  public List<List<ParamSpec>> parameterizations() {
    return List.of(List.of(new ParamSpec("logits", Constraint.REAL),
        new ParamSpec(RelaxationTemperature.ARGUMENT, Constraint.POSITIVE, true)));
  }

  @Override public ValueDomain support() { return ValueDomain.UNIT_INTERVAL; }
  @Override public boolean hasPathwiseSampler() { return true; }
  @Override public boolean isDiscrete() { return false; }

  @Override
  public Node logProb(Graph g, SourceRef o, Node value, Map<String, Node> a) {
    return g.apply(densityOp(RelaxationTemperature.scheduleOf(name(), a)), o, value, a.get("logits"));
  }

  @Override
  public Node rsample(Graph g, SourceRef o, Map<String, Node> a, int width, String site) {
    Node u = g.noise("u_" + site, NoiseKind.UNIFORM, width);
    return g.apply(sampleOp(RelaxationTemperature.scheduleOf(name(), a)), o, a.get("logits"), u);
  }
}
