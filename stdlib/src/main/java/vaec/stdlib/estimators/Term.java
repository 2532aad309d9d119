package vaec.stdlib.estimators;

import java.util.Set;
import vaec.runtime.graph.Node;

/**
 * One additive piece of the objective (a batch x 1 node), the latents whose draws it depends on,
 * and whether it is a likelihood term (what the progress display calls reconstruction).
 */
public record Term(Node node, Set<String> deps, boolean likelihood) {}
