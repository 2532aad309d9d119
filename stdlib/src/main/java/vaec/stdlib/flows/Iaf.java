package vaec.stdlib.flows;

import vaec.runtime.ops.MaskedAffineStep;

/**
 * Inverse autoregressive flows (Kingma et al. 2016) on a MADE with the natural input order on even
 * steps and the reversed order on odd ones, and the gated update sigma z + (1 - sigma) mu.
 */
public final class Iaf extends MaskedFlow {
  @Override public String name() { return "IAF"; }
  @Override public String reference() { return "inverse autoregressive flow (Kingma et al. 2016) on a MADE, order reversed between steps, gated update"; }
  @Override protected MaskedAffineStep.Kind kind() { return MaskedAffineStep.Kind.IAF; }
}
