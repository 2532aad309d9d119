package vaec.stdlib.distributions;

import vaec.runtime.graph.Node;

/** A reparameterized draw together with the guide's log-density at it, log q(value) (batch x 1). */
public record Draw(Node value, Node logProb) {}
