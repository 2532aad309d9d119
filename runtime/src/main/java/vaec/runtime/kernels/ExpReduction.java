package vaec.runtime.kernels;

/**
 * The range reduction and polynomial behind the fused kernels' exponentials (FusedBernoulli's
 * exp(-|l|), FusedTanh's exp(-2|p|) - 1, and their Vector API form): for a &gt;= 0, k = round(a /
 * ln2), r = -(a - k ln2) in [-0.35, 0.35], and exp(r) - 1 by a degree-7 polynomial. The caller
 * scales by 2^-k with its own bit passes (its range of k differs). Only additions and
 * multiplications, so that C2 vectorizes the loops that call these (they are inlined), and the
 * same floats on every machine.
 */
final class ExpReduction {
  private ExpReduction() {}

  static final float LOG2E = 1.44269504088896341f;
  /** 9 significant bits: k * LN2_HI is exact for k &lt; 2^15. */
  static final float LN2_HI = 0.693359375f;
  static final float LN2_LO = -2.12194440e-4f;
  /** 1.5 * 2^23: (y + ROUND) - ROUND rounds y to an integer. */
  static final float ROUND = 12582912f;

  /** round(a / ln2). */
  static float k(float a) { return (a * LOG2E + ROUND) - ROUND; }

  /** -(a - k ln2), in [-0.35, 0.35] for k = {@link #k}(a). */
  static float r(float a, float k) { return (k * LN2_HI - a) + k * LN2_LO; }

  /** exp(r) - 1 = r + r^2 (P5 + P4 r + ... + P0 r^5), evaluated by Horner from P0. */
  static final float P0 = 1.9875691500E-4f, P1 = 1.3981999507E-3f, P2 = 8.3334519073E-3f, P3 = 4.1665795894E-2f,
      P4 = 1.6666665459E-1f, P5 = 5.0000001201E-1f;

  /** exp(r) - 1 for r in [-0.35, 0.35]. */
  static float expm1(float r) {
    float q = P0;
    q = q * r + P1;
    q = q * r + P2;
    q = q * r + P3;
    q = q * r + P4;
    q = q * r + P5;
    return q * r * r + r;
  }

  /**
   * Bit j of k (k in 0 .. 2^(j+1) - 1), with halfOverTwoM = 1 / 2^(j+1): round((k + 1/2) /
   * 2^(j+1)), exact for such k. Only adds and multiplications, which C2 vectorizes (and which stay
   * branch-free if it does not).
   */
  static float bit(float k, float halfOverTwoM) { return ((k + 0.5f) * halfOverTwoM + ROUND) - ROUND; }
}
