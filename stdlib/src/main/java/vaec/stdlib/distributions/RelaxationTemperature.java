package vaec.stdlib.distributions;

import java.util.Map;
import vaec.runtime.graph.Node;

/**
 * The temperature argument of a relaxed family. The relaxed ops take their temperature as a
 * setting fixed when the graph is built, not as a value computed per step, so the argument must
 * reach the lowering as a constant node (the compiler turns a number in the model file into one).
 */
final class RelaxationTemperature {
  static final String ARGUMENT = "temperature";

  private RelaxationTemperature() {}

  /** The temperature as a schedule: annealed when the constant carries one, else fixed. */
  static vaec.runtime.graph.Schedule scheduleOf(String family, Map<String, Node> args) {
    double initial = of(family, args);
    vaec.runtime.graph.Schedule s = args.get(ARGUMENT).schedule();
    return s != null ? s : vaec.runtime.graph.Schedule.fixed(initial);
  }

  static double of(String family, Map<String, Node> args) {
    Node t = args.get(ARGUMENT);
    if (t == null) throw new IllegalArgumentException(family + " needs a '" + ARGUMENT + "' argument");
    if (t.kind() != Node.Kind.CONSTANT) {
      throw new IllegalArgumentException("the temperature of " + family + " must be a constant number, not a computed value ("
          + t.label() + "); to anneal it, give the estimator a schedule: using concrete(temperature = 1, anneal = 3e-5, min_temperature = 0.5)");
    }
    double v = t.constant();
    if (!(v > 0) || !Double.isFinite(v)) {
      throw new IllegalArgumentException("the temperature of " + family + " must be positive, got " + v);
    }
    return v;
  }
}
