package vaec.runtime.kernels;

/** log Gamma and digamma in double precision, for the Gamma and Beta densities and their gradients. */
public final class SpecialFunctions {
  private SpecialFunctions() {}

  private static final double[] LANCZOS = {
      0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
      -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
      1.5056327351493116e-7};

  /** log |Gamma(x)| for x > 0 (Lanczos, g = 7: about 15 significant digits). */
  public static double lgamma(double x) {
    if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
    x -= 1;
    double a = LANCZOS[0];
    double t = x + 7.5;
    for (int i = 1; i < 9; i++) a += LANCZOS[i] / (x + i);
    return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
  }

  /** psi(x) = d/dx log Gamma(x) for x > 0: recurrence up to 6, then the asymptotic series. */
  public static double digamma(double x) {
    double r = 0;
    while (x < 6) {
      r -= 1 / x;
      x += 1;
    }
    double f = 1 / (x * x);
    return r + Math.log(x) - 0.5 / x - f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))));
  }

  /** psi'(x), the trigamma function, for x > 0: recurrence up to 10, then the asymptotic series (about 1e-12). */
  public static double trigamma(double x) {
    double r = 0;
    while (x < 10) {
      r += 1 / (x * x);
      x += 1;
    }
    double f = 1 / (x * x);
    return r + 1 / x + f / 2 + f / x * (1.0 / 6 - f * (1.0 / 30 - f * (1.0 / 42 - f / 30)));
  }
}
