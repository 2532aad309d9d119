package vaec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Products large enough to be split over two threads (column halves of C addressed by offsets)
 * equal the plain product, for every transposition and for output widths whose halves are uneven;
 * a 400 x 2080 weight gradient once crashed there.
 */
class GemmSplitTest {
  @Test
  void splitProductsEqualThePlainProduct() {
    Nd4j.getRandom().setSeed(7);
    int[][] shapes = {{400, 2080, 128}, {128, 2080, 400}, {301, 777, 64}, {64, 129, 1000}};
    for (int[] s : shapes) {
      int m = s[0], n = s[1], k = s[2];
      for (boolean ta : new boolean[] {false, true}) {
        for (boolean tb : new boolean[] {false, true}) {
          for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray a = Nd4j.rand(t, ta ? k : m, ta ? m : k).subi(0.5);
            INDArray b = Nd4j.rand(t, tb ? n : k, tb ? k : n).subi(0.5);
            INDArray c0 = Nd4j.rand(t, m, n);
            INDArray c = c0.dup();
            Gemm.gemm(a, ta, b, tb, c, 0.5, 2.0);
            INDArray ad = (ta ? a.transpose() : a).castTo(DataType.DOUBLE);
            INDArray bd = (tb ? b.transpose() : b).castTo(DataType.DOUBLE);
            INDArray expected = ad.mmul(bd).muli(0.5).addi(c0.castTo(DataType.DOUBLE).muli(2.0));
            double err = expected.sub(c.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
            assertEquals(0, err, t == DataType.FLOAT ? 1e-3 : 1e-10, m + "x" + n + "x" + k + " ta=" + ta + " tb=" + tb + " " + t);
          }
        }
      }
    }
  }
}
