package vaec.stdlib.flows;

import java.util.List;
import java.util.Map;
import vaec.runtime.ops.FlowStep;
import vaec.runtime.ops.PlanarStep;

/** Planar flows (Rezende and Mohamed 2015), each step z + u_hat tanh(w . z + b), invertible by construction ({@link PlanarStep}). */
public final class Planar extends Flow {
  @Override public String name() { return "Planar"; }
  @Override public String reference() { return "planar flow (Rezende and Mohamed 2015), u_hat as in their appendix A.1"; }
  @Override public int[] blocks(int d, Map<String, Integer> s, int c) { return new int[] {d, d, 1}; }
  @Override public List<String> blockNames(boolean c) { return List.of("u", "w", "b"); }

  @Override
  protected List<Init> inits(int d, Map<String, Integer> s, int c) {
    return List.of(Init.uniform(0.01), Init.uniform(1 / Math.sqrt(d)), Init.constant(0));
  }

  @Override
  public FlowStep step(int d, int k, Map<String, Integer> s, boolean global, int c) { return new PlanarStep(d, global); }
}
