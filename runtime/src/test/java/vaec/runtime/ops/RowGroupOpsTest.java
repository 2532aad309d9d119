package vaec.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The two row ops of an importance-weighted pass against direct loops, with as many groups as rows
 * per group and more (training's batch of examples) and fewer (an evaluation pass of one example's
 * K samples, or a batch smaller than k): first_of_group[k] takes row g * k, and its backward puts
 * the gradient there and zero elsewhere; repeat_each_row[k] writes row g to rows g * k .. g * k + k - 1,
 * and its backward sums those rows' gradients.
 */
class RowGroupOpsTest {
  static INDArray values(int rows, int width, double offset) {
    INDArray a = Nd4j.create(DataType.DOUBLE, rows, width);
    for (int r = 0; r < rows; r++) for (int c = 0; c < width; c++) a.putScalar(r, c, offset + 10 * r + c + 0.25 * ((r * 7 + c * 3) % 5));
    return a;
  }

  @Test
  void firstOfGroupAndRepeatEachRowMatchDirectLoops() {
    int width = 3;
    for (int[] gk : new int[][] {{4, 3}, {3, 3}, {2, 5}, {1, 7}, {1, 2500}}) {
      int groups = gk[0], k = gk[1], rows = groups * k;
      String at = groups + " groups of " + k;

      INDArray in = values(rows, width, 0);
      INDArray first = Nd4j.create(DataType.DOUBLE, groups, width);
      new FirstOfGroup(k).forward(new INDArray[] {in}, first, new INDArray[0]);
      for (int g = 0; g < groups; g++) for (int c = 0; c < width; c++) assertEquals(in.getDouble(g * k, c), first.getDouble(g, c), 0, at);
      INDArray gFirst = values(groups, width, 1);
      INDArray gIn = Nd4j.ones(DataType.DOUBLE, rows, width);
      new FirstOfGroup(k).backward(new INDArray[] {in}, first, gFirst, new INDArray[] {gIn}, new INDArray[0]);
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < width; c++) assertEquals(r % k == 0 ? gFirst.getDouble(r / k, c) : 0, gIn.getDouble(r, c), 0, at + ", row " + r);
      }

      INDArray one = values(groups, width, 2);
      INDArray wide = Nd4j.create(DataType.DOUBLE, rows, width);
      new RepeatEachRow(k).forward(new INDArray[] {one}, wide, new INDArray[0]);
      for (int r = 0; r < rows; r++) for (int c = 0; c < width; c++) assertEquals(one.getDouble(r / k, c), wide.getDouble(r, c), 0, at + ", row " + r);
      INDArray gWide = values(rows, width, 3);
      INDArray gOne = Nd4j.create(DataType.DOUBLE, groups, width);
      new RepeatEachRow(k).backward(new INDArray[] {one}, wide, gWide, new INDArray[] {gOne}, new INDArray[0]);
      for (int g = 0; g < groups; g++) {
        for (int c = 0; c < width; c++) {
          double s = 0;
          for (int j = 0; j < k; j++) s += gWide.getDouble(g * k + j, c);
          assertEquals(s, gOne.getDouble(g, c), 1e-9 * Math.abs(s), at + ", group " + g);
        }
      }
    }
  }
}
