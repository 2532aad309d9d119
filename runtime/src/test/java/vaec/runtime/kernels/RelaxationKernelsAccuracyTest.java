package vaec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The float32 polynomial log1p(exp(-|x|)) of {@link RelaxationKernels} (the softplus of the
 * conditional draw) against Math in float64, on a grid of 4,001 points over [-100, 100] and
 * 4,001 over [-1e-3, 1e-3]: within 4 ulps of the float result (8 float32 epsilons relative) where
 * |x| &lt;= 86, and within 5e-38 absolute beyond, where it returns exp(-86).
 */
class RelaxationKernelsAccuracyTest {
  @Test
  void log1pExpIsAccurate() {
    for (double span : new double[] {100, 1e-3}) {
      float[] x = new float[4001];
      for (int i = 0; i < x.length; i++) x[i] = (float) (span * (i - 2000) / 2000.0);
      // the heap form takes at most one chunk at a time
      for (int from = 0; from < x.length; from += RelaxationKernels.CHUNK) {
        float[] part = java.util.Arrays.copyOfRange(x, from, Math.min(x.length, from + RelaxationKernels.CHUNK));
        float[] got = RelaxationKernels.log1pExp(part);
        for (int i = 0; i < part.length; i++) {
          double exact = Math.log1p(Math.exp(-Math.abs((double) part[i])));
          double err = Math.abs(got[i] - exact);
          boolean ok = Math.abs(part[i]) <= 86 ? err <= 8 * Math.ulp(1f) * exact : err <= 5e-38;
          assertTrue(ok, "log1p(exp(-|" + part[i] + "|)) = " + got[i] + ", exact " + exact + ", relative error " + err / exact);
        }
      }
    }
  }
}
