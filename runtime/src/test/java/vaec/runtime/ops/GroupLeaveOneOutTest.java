package vaec.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GroupLeaveOneOutTest {
  /** L - L_{-j} straight from the definition, O(k^2). */
  static double naive(double[] l, int j) {
    int k = l.length;
    double mean = 0;
    for (int i = 0; i < k; i++) if (i != j) mean += l[i] / (k - 1);
    double full = 0;
    double without = 0;
    for (int i = 0; i < k; i++) {
      full += Math.exp(l[i]) / k;
      without += Math.exp(i == j ? mean : l[i]) / k;
    }
    return Math.log(full) - Math.log(without);
  }

  static double[] run(int k, double[] l) {
    INDArray in = Nd4j.createFromArray(l).reshape(l.length, 1).castTo(DataType.DOUBLE);
    INDArray out = Nd4j.zeros(DataType.DOUBLE, l.length, 1);
    INDArray scratch = Nd4j.zeros(DataType.DOUBLE, l.length, 2);
    new GroupLeaveOneOut(k).forward(new INDArray[] {in}, out, new INDArray[] {scratch});
    return out.toDoubleVector();
  }

  @Test
  void matchesTheDefinitionPerGroup() {
    double[] l = {-1.0, 0.5, -2.0, 0.3, 3.0, 1.0, -0.7, -0.2};
    double[] out = run(4, l);
    for (int g = 0; g < 2; g++) {
      double[] group = java.util.Arrays.copyOfRange(l, 4 * g, 4 * g + 4);
      for (int j = 0; j < 4; j++) assertEquals(naive(group, j), out[4 * g + j], 1e-12, "row " + (4 * g + j));
    }
    // k = 2: the other sample is its own mean, so L_{-j} = l_other and the signal is LME(l) - l_other
    double[] two = run(2, new double[] {-1.0, 2.0});
    double lme = Math.log((Math.exp(-1.0) + Math.exp(2.0)) / 2);
    assertEquals(lme - 2.0, two[0], 1e-12);
    assertEquals(lme + 1.0, two[1], 1e-12);
  }

  /** One dominant weight: the others' sum must not be lost to cancellation, and nothing overflows. */
  @Test
  void staysAccurateWithADominantWeightAndLargeMagnitudes() {
    double[] l = {0.0, -40.0, -45.0};
    double[] out = run(3, l);
    for (int j = 0; j < 3; j++) assertEquals(naive(l, j), out[j], 1e-9, "row " + j);
    // row 0's baseline replaces the dominant weight by -42.5: its signal is log(1 + e^-40 + e^-45) -
    // log(e^-42.5 + e^-40 + e^-45), large; row 2's is log(1 + e^-40 + e^-45) - log(1 + e^-40 + e^-20),
    // about -e^-20, tiny, and kept to full relative precision rather than lost against log k
    double tiny = -Math.exp(-20);
    assertEquals(tiny, out[2], Math.abs(tiny) * 1e-6);
    assertEquals(Math.log1p(Math.exp(-40) + Math.exp(-45)) - (-40 + Math.log1p(Math.exp(-2.5) + Math.exp(-5))), out[0], 1e-12);
    double[] big = run(3, new double[] {-1000.0, -1001.0, -1003.0});
    double[] shifted = run(3, new double[] {0.0, -1.0, -3.0});
    for (int j = 0; j < 3; j++) assertEquals(shifted[j], big[j], 1e-9);
  }

  @Test
  void hasNoGradientAndRefusesGroupsOfOne() {
    assertFalse(new GroupLeaveOneOut(3).differentiable());
    assertThrows(IllegalArgumentException.class, () -> new GroupLeaveOneOut(1));
    assertThrows(IllegalStateException.class, () -> run(3, new double[] {1, 2, 3, 4}));
  }
}
