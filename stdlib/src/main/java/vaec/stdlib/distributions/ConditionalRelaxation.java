package vaec.stdlib.distributions;

import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;

/**
 * What REBAR and RELAX need from a discrete family (Tucker et al. 2017; Grathwohl et al. 2018):
 * a pre-relaxation z, differentiable in the family's {@link #argument()}, whose hardening
 * b = H(z) is a draw of the family; a second draw z~ of z conditioned on b with the same
 * marginal; and the tempered relaxation sigma_lambda(z) that stands in for b in the control
 * variate. Every noise node is uniform on (0, 1).
 */
public interface ConditionalRelaxation {
  /** The argument the draws are differentiable in, at which the estimator's variance is minimized. */
  String argument();

  /**
   * The noise the draws read, made from uniform noise {@code u} once and shared by every draw on
   * {@code u} (REBAR draws at the guide's argument and at two probes beside it on the same
   * uniforms); by default {@code u} itself.
   */
  default Node noise(Graph g, SourceRef origin, Node u) { return u; }

  /** z, the unconditional pre-relaxation, from the argument and the noise {@link #noise} made of a uniform u. */
  Node draw(Graph g, SourceRef origin, Node argument, Node noise);

  /** b = H(z): the discrete draw behind {@code z}; not differentiable. */
  Node harden(Graph g, SourceRef origin, Node z);

  /**
   * z~ ~ p(z | b), reparameterized by a second uniform v through the noise {@link #noise} made of
   * it; differentiable in the argument.
   */
  Node conditional(Graph g, SourceRef origin, Node argument, Node b, Node noise);

  /** The relaxed value sigma_lambda(z) with lambda = exp(logTemperature), a 1 x 1 node. */
  Node relax(Graph g, SourceRef origin, Node z, Node logTemperature);
}
