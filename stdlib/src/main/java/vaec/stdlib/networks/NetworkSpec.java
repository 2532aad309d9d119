package vaec.stdlib.networks;

import java.util.List;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.model.ParamInit;

/**
 * A network declared in a model file, resolved by its {@link NetworkFamily}: everything about it
 * that the compiler needs, and nothing the compiler has to know about its kind. The input and
 * output are flat vectors (batch x width; images channel-major, C*H*W); the network knows any
 * image shapes inside. Parameters are named "NAME.something", all listed by {@link #params()}.
 */
public interface NetworkSpec {
  /** The declared name. */
  String name();

  /** The family's name, as written (MLP, Linear, Conv). */
  String family();

  int inputWidth();

  int outputWidth();

  long parameterCount();

  /** Every parameter with its shape and initialization. */
  List<ParamInit> params();

  default Node apply(Graph g, SourceRef origin, Node input) {
    return apply(g, origin, input, false);
  }

  /**
   * Lowers one use of the network. With {@code frozen}, the parameters enter through
   * stop-gradients: the network is evaluated, and differentiated with respect to its input, but
   * its parameters get no gradient from this use (how a control variate reads the decoder
   * without training it).
   */
  Node apply(Graph g, SourceRef origin, Node input, boolean frozen);

  /**
   * Lowers one use inside a graph whose purpose is (or is not) training: a network that behaves
   * differently in training (word dropout) overrides this; the others ignore it.
   */
  default Node apply(Graph g, SourceRef origin, Node input, boolean frozen, boolean training) {
    return apply(g, origin, input, frozen);
  }

  /**
   * For an autoregressive decoder called on concat(condition, sequence), the condition's width:
   * its output at position t reads only the sequence's positions before t (so a likelihood may
   * read the sequence it scores through it); -1 for every other network.
   */
  default int autoregressiveCondition() { return -1; }

  /** For a network over token sequences, the number of token ids it embeds; 0 for every other network. */
  default int tokenVocabulary() { return 0; }

  /** A one-line description: "784 -> 400 (relu) -> 40". */
  String architecture();
}
