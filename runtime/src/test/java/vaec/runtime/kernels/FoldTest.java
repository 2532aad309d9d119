package vaec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The gradient fold of a step's two halves (the Vector API form where the build has it, else ND4J's ops): exactly (g + g2) w0 for equal weights, g w0 + g2 w1 otherwise, on views with offsets. */
class FoldTest {
  @Test
  void foldsExactlyAsTheFormulaSaysOnTheHighHalfOfAVector() {
    assertEquals(VectorApi.expected(), VectorApi.ON, "the tests run with --add-modules jdk.incubator.vector (the root pom's argLine)");
    int n = 2 * 1003;   // halves of 1003: vectors and a tail, the second half at an offset
    Random r = new Random(4);
    float[][] cases = {{0.5f, 0.5f}, {65f / 128, 63f / 128}};
    for (float[] w : cases) {
      float[] a = new float[n], b = new float[n];
      for (int i = 0; i < n; i++) {
        a[i] = (float) r.nextGaussian();
        b[i] = (float) (r.nextGaussian() * 1e-3);
      }
      INDArray g = Nd4j.createFromArray(a.clone()), g2 = Nd4j.createFromArray(b.clone());
      INDArray gHigh = g.get(NDArrayIndex.interval(1003, n)), g2High = g2.get(NDArrayIndex.interval(1003, n));
      Fold.fold(gHigh, w[0], g2High, w[1]);
      for (int i = 0; i < n; i++) {
        float want = i < 1003 ? a[i] : w[0] == w[1] ? (a[i] + b[i]) * w[0] : a[i] * w[0] + b[i] * w[1];
        assertEquals(want, g.getFloat(i), 0f, "element " + i + ", weights " + w[0] + ", " + w[1]);
      }
      assertEquals(DataType.FLOAT, g.dataType());
    }
  }
}
