package vaec.runtime.kernels;

/**
 * The implicit reparameterization gradient of a standard Gamma draw (Figurnov, Mohamed and Mnih
 * 2018): for x ~ Gamma(alpha, 1) with CDF F(x; alpha) = P(alpha, x), the regularized lower
 * incomplete gamma function, dx/dalpha = -(dF/dalpha)(x; alpha) / f(x; alpha). This class computes
 * d(log x)/dalpha = -(dP/dalpha) / (x f(x; alpha)) in double precision from log x, so that draws
 * too small for a float (shape well below 1) still get their gradient.
 *
 * <p>Two regimes, as in Numerical Recipes' incomplete gamma:
 * <ul>
 *   <li>x &lt; alpha + 1: the series P = x^a e^-x sum_n x^n / Gamma(a + n + 1), differentiated term
 *       by term: dP/da / (x f) = sum_n c_n (log x - psi(a + n + 1)) with c_0 = 1/a,
 *       c_n = c_{n-1} x / (a + n) and psi(a + n + 1) = psi(a + n) + 1/(a + n). Every term is exact;
 *       the sum stops when a term no longer changes it.</li>
 *   <li>x &gt;= alpha + 1: Q = 1 - P = x f(x) h(a, x) with h Legendre's continued fraction
 *       (evaluated by Lentz's method), so dlog x/da = dQ/da / (x f) = h (log x - psi(a) + dlog h/da),
 *       with dlog h/da a central difference in a of step 1e-5 max(1, a) (h is smooth in a: the error
 *       is about 1e-10 relative).</li>
 * </ul>
 */
public final class ImplicitGamma {
  private ImplicitGamma() {}

  private static final int MAX_TERMS = 200_000;
  private static final double EPS = 1e-16;

  /** d(log x)/d(alpha) for x = exp(logX) a draw of Gamma(alpha, 1), alpha &gt; 0. */
  public static double dLogXdAlpha(double alpha, double logX) {
    double x = Math.exp(logX);
    if (x < alpha + 1) return -series(alpha, x, logX);
    double h = continuedFraction(alpha, x);
    double step = 1e-5 * Math.max(1, alpha);
    double dLogH = (Math.log(continuedFraction(alpha + step, x)) - Math.log(continuedFraction(alpha - step, x))) / (2 * step);
    return h * (logX - SpecialFunctions.digamma(alpha) + dLogH);
  }

  /** (dP/da) / (x f(x; a)) by the differentiated series. */
  static double series(double a, double x, double logX) {
    double c = 1 / a;
    double psi = SpecialFunctions.digamma(a + 1);
    double sum = c * (logX - psi);
    for (int n = 1; n < MAX_TERMS; n++) {
      c *= x / (a + n);
      psi += 1 / (a + n);
      double term = c * (logX - psi);
      sum += term;
      if (Math.abs(term) <= EPS * Math.abs(sum) && a + n > x) break;
      if (c == 0) break;
    }
    return sum;
  }

  /** h(a, x) with Q(a, x) = x^a e^-x h / Gamma(a): Legendre's continued fraction, by Lentz's method. */
  static double continuedFraction(double a, double x) {
    final double tiny = 1e-300;
    double b = x + 1 - a;
    double c = 1 / tiny;
    double d = 1 / b;
    double h = d;
    for (int i = 1; i < MAX_TERMS; i++) {
      double an = -i * (i - a);
      b += 2;
      d = an * d + b;
      if (Math.abs(d) < tiny) d = tiny;
      c = b + an / c;
      if (Math.abs(c) < tiny) c = tiny;
      d = 1 / d;
      double del = d * c;
      h *= del;
      if (Math.abs(del - 1) < 1e-15) break;
    }
    return h;
  }

  /** The regularized lower incomplete gamma P(a, x), for tests and for checking draws. */
  public static double regularizedLower(double a, double x) {
    if (x <= 0) return 0;
    double logPrefix = a * Math.log(x) - x - SpecialFunctions.lgamma(a);
    if (x < a + 1) {
      double term = 1 / a;
      double sum = term;
      for (int n = 1; n < MAX_TERMS; n++) {
        term *= x / (a + n);
        sum += term;
        if (term < EPS * sum) break;
      }
      return Math.exp(logPrefix) * sum;
    }
    return 1 - Math.exp(logPrefix) * continuedFraction(a, x);
  }

  /** log of a standard Gamma(alpha, 1) draw from {@code r}: Marsaglia and Tsang, boosted below shape 1 in log space. */
  public static double logStandardGamma(double alpha, java.util.SplittableRandom r) {
    if (alpha < 1) {
      double u = r.nextDouble();
      return logStandardGamma(alpha + 1, r) + Math.log(1 - u) / alpha;
    }
    double d = alpha - 1.0 / 3;
    double c = 1 / Math.sqrt(9 * d);
    while (true) {
      double x;
      double v;
      do {
        double u1 = r.nextDouble();
        double u2 = r.nextDouble();
        x = Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      double uu = r.nextDouble();
      if (uu < 1 - 0.0331 * x * x * x * x || Math.log(uu) < 0.5 * x * x + d * (1 - v + Math.log(v))) return Math.log(d * v);
    }
  }
}
