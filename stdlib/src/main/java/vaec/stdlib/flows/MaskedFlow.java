package vaec.stdlib.flows;

import java.util.List;
import java.util.Map;
import vaec.runtime.ops.FlowStep;
import vaec.runtime.ops.MaskedAffineStep;

/** The flows whose steps are masked networks ({@link MaskedAffineStep}): global weights, an optional context. */
abstract class MaskedFlow extends Flow {
  protected abstract MaskedAffineStep.Kind kind();

  @Override
  protected List<FlowSetting> ownSettings() {
    return List.of(new FlowSetting("hidden", 100, 1, 10000, "hidden units of each step's network"));
  }

  @Override public boolean amortizable() { return false; }
  @Override public boolean takesContext() { return true; }

  @Override
  public int[] blocks(int d, Map<String, Integer> s, int c) { return MaskedAffineStep.blocks(d, s.get("hidden"), c); }

  @Override
  public List<String> blockNames(boolean c) {
    return c ? List.of("w1", "c1", "b1", "w2a", "w2b", "ba", "bb") : List.of("w1", "b1", "w2a", "w2b", "ba", "bb");
  }

  /** The output layer starts near zero: each step starts near the identity (IAF: near the gate's bias). */
  @Override
  protected List<Init> inits(int d, Map<String, Integer> s, int c) {
    Init in = Init.uniform(1 / Math.sqrt(d + c));
    return c > 0 ? List.of(in, in, in, Init.uniform(0.01), Init.uniform(0.01), Init.constant(0), Init.constant(0))
        : List.of(in, in, Init.uniform(0.01), Init.uniform(0.01), Init.constant(0), Init.constant(0));
  }

  @Override
  public FlowStep step(int d, int k, Map<String, Integer> s, boolean global, int c) {
    return new MaskedAffineStep(kind(), d, s.get("hidden"), c, k);
  }
}
