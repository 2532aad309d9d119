package vaec.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import vaec.runtime.data.BoundData;
import vaec.runtime.data.Dataset;

class BatchesTest {
  private static Dataset table(int rows, int width) {
    float[] v = new float[rows * width];
    for (int i = 0; i < v.length; i++) v[i] = i * 0.5f - 3;
    return new Dataset("t", rows, width, v, 0, 0);
  }

  private static void assertRows(Dataset d, int[] idx, INDArray got) {
    for (int r = 0; r < idx.length; r++) {
      for (int c = 0; c < d.width(); c++) {
        assertEquals(d.values()[idx[r] * d.width() + c], got.getDouble(r, c), 0.0, "row " + r + " col " + c);
      }
    }
  }

  @Test
  void gathersRowsIntoFloatAndDoubleBuffersRepeatedly() {
    Dataset d = table(9, 5);
    Batches b = new Batches(BoundData.of("x", d));
    for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      INDArray target = Nd4j.create(t, 4, 5);
      int[] first = {8, 0, 3, 3};
      b.gather(d, first, target);
      assertRows(d, first, target);
      int[] second = {1, 7, 2, 5};   // the cached buffer view is written again, not appended to
      b.gather(d, second, target);
      assertRows(d, second, target);
    }
  }

  @Test
  void gathersIntoAViewElementByElement() {
    Dataset d = table(6, 3);
    INDArray wide = Nd4j.zeros(DataType.FLOAT, 2, 7);
    INDArray view = wide.get(NDArrayIndex.all(), NDArrayIndex.interval(2, 5));
    int[] idx = {5, 1};
    new Batches(BoundData.of("x", d)).gather(d, idx, view);
    assertRows(d, idx, view);
    assertEquals(0.0, wide.getDouble(0, 0), 0.0);
    assertEquals(0.0, wide.getDouble(1, 6), 0.0);
  }

  @Test
  void leavesTheTablesUntouched() {
    Dataset d = table(4, 2);
    float[] before = d.values().clone();
    new Batches(new BoundData(Map.of("x", d))).gather(d, new int[] {3, 2, 1}, Nd4j.create(DataType.FLOAT, 3, 2));
    org.junit.jupiter.api.Assertions.assertArrayEquals(before, d.values());
  }
}
