package vaec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The row-block loops in float32 (what training runs in), on whole matrices and on column slices (strided views). */
class RowBlocksTest {
  static INDArray random(long rows, long cols, int seed) {
    Random r = new Random(seed);
    INDArray a = Nd4j.create(DataType.FLOAT, rows, cols);
    for (long i = 0; i < rows; i++) for (long j = 0; j < cols; j++) a.putScalar(i, j, r.nextGaussian());
    return a;
  }

  @Test
  void repeatAndSumOnSlices() {
    INDArray wide = random(5, 9, 1);
    INDArray in = wide.get(NDArrayIndex.all(), NDArrayIndex.interval(2, 6));        // 5 x 4, row stride 9
    INDArray outWide = Nd4j.zeros(DataType.FLOAT, 15, 7);
    INDArray out = outWide.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 5));    // 15 x 4, row stride 7
    RowBlocks.repeat(in, out);
    for (int b = 0; b < 3; b++) {
      for (int i = 0; i < 5; i++) for (int j = 0; j < 4; j++) assertEquals(in.getFloat(i, j), out.getFloat(b * 5 + i, j), 0f);
    }
    assertEquals(0f, outWide.getFloat(7, 0), 0f);   // columns outside the slice untouched
    assertEquals(0f, outWide.getFloat(7, 6), 0f);

    INDArray stacked = random(15, 4, 2);
    INDArray sumWide = Nd4j.zeros(DataType.FLOAT, 5, 6);
    INDArray sum = sumWide.get(NDArrayIndex.all(), NDArrayIndex.interval(2, 6));
    RowBlocks.sumBlocks(stacked, sum);
    for (int i = 0; i < 5; i++) {
      for (int j = 0; j < 4; j++) {
        float want = stacked.getFloat(i, j) + stacked.getFloat(5 + i, j) + stacked.getFloat(10 + i, j);
        assertEquals(want, sum.getFloat(i, j), 1e-6f);
      }
    }
  }

  /**
   * Rows wider than a vector (403 columns: vectors and a tail), out a column slice of a wider
   * matrix: each element is the blocks added in block order, exactly (the Vector API form and the
   * scalar loop add in the same order).
   */
  @Test
  void sumBlocksOverWideRowsAddsInBlockOrder() {
    INDArray stacked = random(3 * 7, 403, 5);
    INDArray wide = Nd4j.zeros(DataType.FLOAT, 7, 410);
    INDArray sum = wide.get(NDArrayIndex.all(), NDArrayIndex.interval(3, 406));
    RowBlocks.sumBlocks(stacked, sum);
    for (int i = 0; i < 7; i++) {
      for (int j = 0; j < 403; j++) {
        float want = (stacked.getFloat(i, j) + stacked.getFloat(7 + i, j)) + stacked.getFloat(14 + i, j);
        assertEquals(want, sum.getFloat(i, j), 0f, "row " + i + ", column " + j);
      }
    }
    assertEquals(0f, wide.getFloat(3, 2), 0f);     // outside the slice untouched
    assertEquals(0f, wide.getFloat(3, 406), 0f);
  }

  /** RowCopy: a matrix into a column block of a wider one and back out, float and double. */
  @Test
  void rowCopyIntoAndOutOfColumnBlocks() {
    for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      INDArray src = random(6, 37, 7).castTo(t);
      INDArray wide = Nd4j.zeros(t, 6, 50);
      INDArray block = wide.get(NDArrayIndex.all(), NDArrayIndex.interval(10, 47));
      assertTrue(RowCopy.applies(src, block));
      RowCopy.copy(src, block);
      assertEquals(src, block);
      assertEquals(0.0, wide.getDouble(2, 9), 0.0);
      assertEquals(0.0, wide.getDouble(2, 47), 0.0);
      INDArray back = Nd4j.create(t, 6, 37);
      RowCopy.copy(block, back);
      assertEquals(src, back);
    }
  }

  @Test
  void weightedSumAndItsGradient() {
    INDArray w = random(12, 1, 3);
    INDArray f = random(12, 1, 4);
    INDArray out = Nd4j.create(DataType.FLOAT, 4, 1);
    RowBlocks.weightedSum(w, f, out);
    for (int i = 0; i < 4; i++) {
      float want = 0;
      for (int b = 0; b < 3; b++) want += w.getFloat(b * 4 + i, 0) * f.getFloat(b * 4 + i, 0);
      assertEquals(want, out.getFloat(i, 0), 1e-6f);
    }
    INDArray g = random(4, 1, 5);
    INDArray d = Nd4j.create(DataType.FLOAT, 12, 1);
    RowBlocks.scaleByRepeated(g, f, d);
    for (int b = 0; b < 3; b++) for (int i = 0; i < 4; i++) assertEquals(g.getFloat(i, 0) * f.getFloat(b * 4 + i, 0), d.getFloat(b * 4 + i, 0), 1e-6f);
  }

  @Test
  void fillBlocks() {
    INDArray out = Nd4j.create(DataType.FLOAT, 6, 2);
    RowBlocks.fillBlocks(new double[][] {{1, 0}, {0, 1}, {0.5, 0.5}}, out);
    assertEquals(1f, out.getFloat(0, 0), 0f);
    assertEquals(1f, out.getFloat(1, 0), 0f);
    assertEquals(1f, out.getFloat(3, 1), 0f);
    assertEquals(0.5f, out.getFloat(5, 1), 0f);
  }
}
