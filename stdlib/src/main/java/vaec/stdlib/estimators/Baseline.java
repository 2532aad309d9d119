package vaec.stdlib.estimators;

/**
 * Control variates for the score-function estimator (000 section 9.2, 002 "REINFORCE"): none; a
 * running average of the learning signal; or NVIL's learned input-dependent baseline: the running
 * average plus a small network b(x) trained on the squared error to the signal less that average
 * (Mnih and Gregor 2014; their variance normalization is not applied, Adam rescales the gradient).
 */
public enum Baseline {
  NONE("none"), AVERAGE("average"), NVIL("nvil");

  private final String keyword;

  Baseline(String keyword) { this.keyword = keyword; }

  public String keyword() { return keyword; }

  public static Baseline byKeyword(String k) {
    for (Baseline b : values()) if (b.keyword.equals(k)) return b;
    return null;
  }
}
