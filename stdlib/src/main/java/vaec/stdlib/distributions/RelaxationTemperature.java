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

  static double of(String family, Map<String, Node> args) {
    Node t = args.get(ARGUMENT);
    if (t == null) throw new IllegalArgumentException(family + " needs a '" + ARGUMENT + "' argument");
    if (t.kind() != Node.Kind.CONSTANT) {
      throw new IllegalArgumentException("the temperature of " + family + " must be a constant number, not a computed value ("
          + t.label() + "); annealing it during training is not supported yet");
    }
    double v = t.constant();
    if (!(v > 0) || !Double.isFinite(v)) {
      throw new IllegalArgumentException("the temperature of " + family + " must be positive, got " + v);
    }
    return v;
  }
}
