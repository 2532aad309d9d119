package vaec.runtime.data;

/** The set of values a data column may take, as declared in the model file. */
public enum ValueDomain {
  /** Any finite real number. */
  REAL("real"),
  /** Real numbers in the closed interval [0, 1], such as pixel intensities. */
  UNIT_INTERVAL("[0,1]"),
  /** Exactly 0 or 1. */
  BINARY("binary"),
  /** Rows of 0s with a single 1: a category among {@code width} choices. */
  ONE_HOT("one-hot"),
  /**
   * The code vectors of a learned codebook ({@code latent z : codes[width, positions]}): real
   * values, but only those the codebook holds. A latent type; data cannot be declared so.
   */
  CODES("codes"),
  /** Non-negative whole numbers 0, 1, 2, ... (counts), declared {@code count[n]}. */
  COUNT("count"),
  /** Token ids of a sequence (tokens[L, V]): whole numbers from 0 (padding) to V - 1. */
  TOKENS("tokens");

  private final String display;

  ValueDomain(String display) {
    this.display = display;
  }

  /** True when every value of {@code other} is also a value of this domain. */
  public boolean contains(ValueDomain other) {
    return switch (this) {
      case REAL -> true;
      case UNIT_INTERVAL -> other == UNIT_INTERVAL || other == BINARY || other == ONE_HOT;
      case BINARY -> other == BINARY || other == ONE_HOT;
      case ONE_HOT -> other == ONE_HOT;
      case CODES -> other == CODES;
      case COUNT -> other == COUNT || other == BINARY || other == ONE_HOT;
      case TOKENS -> other == TOKENS;
    };
  }

  /** True when {@code v} lies in this domain. */
  public boolean admits(float v) {
    return switch (this) {
      case REAL, CODES -> Float.isFinite(v);
      case UNIT_INTERVAL -> v >= 0f && v <= 1f;
      case BINARY, ONE_HOT -> v == 0f || v == 1f;
      case COUNT -> v >= 0f && Float.isFinite(v) && v == Math.rint(v);
      case TOKENS -> v >= 0f && v == Math.rint(v);
    };
  }

  @Override
  public String toString() {
    return display;
  }
}
