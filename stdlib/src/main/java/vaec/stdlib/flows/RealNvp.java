package vaec.stdlib.flows;

import java.util.Map;
import vaec.runtime.ops.MaskedAffineStep;

/** Affine coupling steps (RealNVP, Dinh et al. 2017), alternating which half of the columns (even or odd) is kept. */
public final class RealNvp extends MaskedFlow {
  @Override public String name() { return "RealNVP"; }
  @Override public String reference() { return "affine coupling (RealNVP, Dinh et al. 2017), alternating column masks, log-scale tanh-bounded"; }
  @Override protected MaskedAffineStep.Kind kind() { return MaskedAffineStep.Kind.COUPLING; }

  @Override
  public String whyNot(int d, Map<String, Integer> s) {
    return d < 2 ? "a coupling step keeps half of the columns and changes the rest; the latent needs at least 2 columns" : null;
  }
}
