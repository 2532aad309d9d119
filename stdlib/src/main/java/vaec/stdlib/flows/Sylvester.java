package vaec.stdlib.flows;

import java.util.List;
import java.util.Map;
import vaec.runtime.ops.FlowStep;
import vaec.runtime.ops.SylvesterStep;

/**
 * Householder Sylvester flows (van den Berg et al. 2018): z + Q R tanh(R~ Q^T z + b) with Q a product
 * of {@code reflections} Householder reflections and tanh-bounded triangular diagonals ({@link SylvesterStep}).
 */
public final class Sylvester extends Flow {
  @Override public String name() { return "Sylvester"; }
  @Override public String reference() { return "Householder Sylvester flow (van den Berg et al. 2018)"; }

  @Override
  protected List<FlowSetting> ownSettings() {
    return List.of(new FlowSetting("reflections", FlowSetting.WIDTH, 1, FlowSetting.WIDTH,
        "Householder reflections making Q (default and at most the latent's width)"));
  }

  @Override
  public int[] blocks(int d, Map<String, Integer> s, int c) {
    int tri = d * (d + 1) / 2;
    return new int[] {tri, tri, d, s.get("reflections") * d};
  }

  @Override public List<String> blockNames(boolean c) { return List.of("r", "r_tilde", "b", "v"); }

  /** R near zero: each step starts near the identity. */
  @Override
  protected List<Init> inits(int d, Map<String, Integer> s, int c) {
    return List.of(Init.uniform(0.01), Init.uniform(1 / Math.sqrt(d)), Init.uniform(1 / Math.sqrt(d)), Init.uniform(1 / Math.sqrt(d)));
  }

  @Override
  public FlowStep step(int d, int k, Map<String, Integer> s, boolean global, int c) {
    return new SylvesterStep(d, s.get("reflections"), global);
  }
}
