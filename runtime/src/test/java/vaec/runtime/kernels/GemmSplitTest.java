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
  /** An output that is a view, with an input ND4J's path must take (a column-major copy): the product still lands in the view. */
  @Test
  void aViewOutputThroughTheFallbackPathGetsTheProduct() {
    Nd4j.getRandom().setSeed(3);
    INDArray a = Nd4j.rand(DataType.FLOAT, 2, 6).dup('f');   // column-major: not what cblas row-major reads
    INDArray b = Nd4j.rand(DataType.FLOAT, 6, 5);
    INDArray big = Nd4j.zeros(DataType.FLOAT, 4, 5);
    INDArray c = big.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3), org.nd4j.linalg.indexing.NDArrayIndex.all());
    Gemm.gemm(a, false, b, false, c, 1, 0);
    INDArray expected = a.castTo(DataType.DOUBLE).mmul(b.castTo(DataType.DOUBLE));
    INDArray got = big.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3), org.nd4j.linalg.indexing.NDArrayIndex.all());
    assertEquals(0, expected.sub(got.castTo(DataType.DOUBLE)).amaxNumber().doubleValue(), 1e-5);
    assertEquals(0, big.getRow(0).amaxNumber().doubleValue(), 0);
    assertEquals(0, big.getRow(3).amaxNumber().doubleValue(), 0);
  }

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
