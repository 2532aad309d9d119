package vaec.stdlib.distributions;

import java.util.Map;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;

/** A closed-form KL(q || p) between a guide family and a prior family. */
public interface KlRule {
  String guideFamily();

  String priorFamily();

  /** Where the closed form comes from, for the compile summary. */
  String reference();

  /** KL summed over the value's columns, a batch x 1 node. */
  Node lower(Graph g, SourceRef origin, Map<String, Node> guideArgs, Map<String, Node> priorArgs);
}
