package vaec.stdlib.flows;

import java.util.List;
import java.util.Map;
import vaec.runtime.ops.FlowStep;
import vaec.runtime.ops.HouseholderStep;

/** Householder flows (Tomczak and Welling 2016): volume-preserving reflections ({@link HouseholderStep}). */
public final class Householder extends Flow {
  @Override public String name() { return "Householder"; }
  @Override public String reference() { return "Householder flow (Tomczak and Welling 2016), volume preserving"; }
  @Override public int[] blocks(int d, Map<String, Integer> s, int c) { return new int[] {d}; }
  @Override public List<String> blockNames(boolean c) { return List.of("v"); }
  @Override protected List<Init> inits(int d, Map<String, Integer> s, int c) { return List.of(Init.uniform(1 / Math.sqrt(d))); }

  @Override
  public String whyNot(int d, Map<String, Integer> s) {
    return d < 2 ? "a Householder reflection of a 1-wide latent is only z -> -z; give the latent at least 2 columns" : null;
  }

  @Override
  public FlowStep step(int d, int k, Map<String, Integer> s, boolean global, int c) { return new HouseholderStep(d, global); }
}
