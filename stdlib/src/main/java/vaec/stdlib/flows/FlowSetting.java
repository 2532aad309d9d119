package vaec.stdlib.flows;

/**
 * A whole-number setting of a flow, written {@code name = value} after the base distribution:
 * its range, its default, and what it means. {@code WIDTH} as a default or bound stands for the
 * latent's width.
 */
public record FlowSetting(String name, int defaultValue, int min, int max, String meaning) {
  /** Stands for the latent's width D in a default or a bound. */
  public static final int WIDTH = -1;

  public int defaultFor(int d) { return defaultValue == WIDTH ? d : defaultValue; }
  public int maxFor(int d) { return max == WIDTH ? d : max; }
}
