package vaec.stdlib.networks;

import java.util.List;
import java.util.Map;
import vaec.runtime.kernels.Activation;

/**
 * A kind of network a model may declare (MLP, Linear; masked, recurrent and convolutional layers
 * later). It turns the declaration's layer widths and named options into a {@link NetworkSpec}
 * or says what is wrong with them.
 */
public interface NetworkFamily {
  String name();

  /** Named options this family accepts, for messages and completion. */
  List<String> options();

  /**
   * @param widths  the widths of the arrow chain, input first
   * @param options activation names keyed by option
   * @return the spec
   * @throws IllegalArgumentException with a user-facing reason
   */
  NetworkSpec build(String name, List<Integer> widths, Map<String, Activation> options);
}
