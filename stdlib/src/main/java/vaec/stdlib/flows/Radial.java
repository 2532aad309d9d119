package vaec.stdlib.flows;

import java.util.List;
import java.util.Map;
import vaec.runtime.ops.FlowStep;
import vaec.runtime.ops.RadialStep;

/** Radial flows (Rezende and Mohamed 2015), with alpha > 0 and beta > -alpha by construction ({@link RadialStep}). */
public final class Radial extends Flow {
  @Override public String name() { return "Radial"; }
  @Override public String reference() { return "radial flow (Rezende and Mohamed 2015), beta = -alpha + softplus(beta')"; }
  @Override public int[] blocks(int d, Map<String, Integer> s, int c) { return new int[] {d, 1, 1}; }
  @Override public List<String> blockNames(boolean c) { return List.of("z0", "alpha", "beta"); }

  /** beta' = 0 with alpha' = 0 gives beta = 0: each step starts as the identity. */
  @Override
  protected List<Init> inits(int d, Map<String, Integer> s, int c) {
    return List.of(Init.uniform(1 / Math.sqrt(d)), Init.constant(0), Init.constant(0));
  }

  @Override
  public FlowStep step(int d, int k, Map<String, Integer> s, boolean global, int c) { return new RadialStep(d, global); }
}
