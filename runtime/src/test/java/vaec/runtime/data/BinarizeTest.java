package vaec.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BinarizeTest {
  @Test
  void meanMatchesIntensity() {
    int n = 200_000;
    float[] src = new float[n];
    Arrays.fill(src, 0.3f);
    float[] dst = new float[n];
    Binarize.dynamic(src, dst, new SplittableRandom(42));
    double sum = 0;
    for (float v : dst) {
      assertTrue(v == 0f || v == 1f, "value " + v);
      sum += v;
    }
    // Standard error of the mean: sqrt(0.3 * 0.7 / 200000) = 0.00102, so 0.005 is about 5 of
    // them: a correct implementation essentially never fails, a biased one (e.g. p off by 0.01) does.
    assertEquals(0.3, sum / n, 0.005);
  }

  @Test
  void zeroAndOneAreDeterministic() {
    float[] src = {0f, 1f, 0f, 1f, -0.5f, 1.5f};
    float[] dst = new float[src.length];
    for (int trial = 0; trial < 1000; trial++) {
      Binarize.dynamic(src, dst, new SplittableRandom(trial));
      assertArrayEquals(new float[] {0, 1, 0, 1, 0, 1}, dst);
    }
  }

  @Test
  void sameSeedSameDrawsAndFreshDrawsEachCall() {
    float[] src = new float[1000];
    Arrays.fill(src, 0.5f);
    float[] a = new float[src.length];
    float[] b = new float[src.length];
    Binarize.dynamic(src, a, new SplittableRandom(7));
    Binarize.dynamic(src, b, new SplittableRandom(7));
    assertArrayEquals(a, b);
    SplittableRandom rng = new SplittableRandom(7);
    Binarize.dynamic(src, a, rng);
    Binarize.dynamic(src, b, rng);
    assertNotEquals(Arrays.toString(a), Arrays.toString(b), "a new batch must be drawn afresh");
  }

  @Test
  void lengthMismatchIsABug() {
    assertThrows(IllegalArgumentException.class,
        () -> Binarize.dynamic(new float[3], new float[2], new SplittableRandom(0)));
  }
}
