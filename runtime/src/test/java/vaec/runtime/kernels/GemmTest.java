package vaec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The direct BLAS path against ND4J's own mmul on copies, with operands and results that are
 * views at non-zero offsets (a slice of a wider matrix, a block of a flat vector): a wrong
 * pointer or leading dimension shows as a mismatch here, which a gradient check cannot see
 * because forward and backward would be wrong alike.
 */
class GemmTest {
  @ParameterizedTest(name = "transA={0} transB={1} views={2} {3}")
  @CsvSource({
      "false,false,false,FLOAT", "true,false,false,FLOAT", "false,true,false,FLOAT", "true,true,false,FLOAT",
      "false,false,true,FLOAT", "true,false,true,FLOAT", "false,true,true,FLOAT", "true,true,true,FLOAT",
      "false,false,true,DOUBLE", "true,true,true,DOUBLE"})
  void matchesNd4jMmul(boolean ta, boolean tb, boolean views, DataType dt) {
    int m = 5, k = 7, n = 3;
    Nd4j.getRandom().setSeed(11);
    INDArray a = operand(ta ? k : m, ta ? m : k, views, dt);
    INDArray b = operand(tb ? n : k, tb ? k : n, views, dt);
    INDArray c = operand(m, n, views, dt);
    INDArray c0 = c.dup();
    INDArray expected = (ta ? a.dup().transpose() : a.dup()).mmul(tb ? b.dup().transpose() : b.dup()).muli(2.0).addi(c0.mul(0.5));
    Gemm.gemm(a, ta, b, tb, c, 2.0, 0.5);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) assertEquals(expected.getDouble(i, j), c.getDouble(i, j), 1e-4, "C[" + i + "," + j + "]");
    }
  }

  @org.junit.jupiter.api.Test
  void oneRowAndOneColumnOperands() {
    // ND4J reports a row stride of 1 for one-row matrices; BLAS needs a pitch of at least the width.
    INDArray x = Nd4j.rand(DataType.FLOAT, 4, 6);
    INDArray ones = Nd4j.ones(DataType.FLOAT, 1, 6);
    INDArray sums = Nd4j.create(DataType.FLOAT, 4, 1);
    Gemm.gemm(x, false, ones, true, sums, 1.0, 0.0);
    for (int i = 0; i < 4; i++) assertEquals(x.getRow(i).sumNumber().doubleValue(), sums.getDouble(i, 0), 1e-5);
    INDArray colSums = Nd4j.create(DataType.FLOAT, 1, 6);
    Gemm.gemm(Nd4j.ones(DataType.FLOAT, 4, 1), true, x, false, colSums, 1.0, 0.0);
    for (int j = 0; j < 6; j++) assertEquals(x.getColumn(j).sumNumber().doubleValue(), colSums.getDouble(0, j), 1e-5);
  }

  /** A rows x cols operand: a fresh matrix, or a column slice of a wider one inside a flat buffer. */
  private static INDArray operand(int rows, int cols, boolean view, DataType dt) {
    if (!view) return Nd4j.rand(dt, rows, cols);
    INDArray flat = Nd4j.rand(dt, 13 + rows * (cols + 4));
    INDArray wide = flat.get(NDArrayIndex.interval(13, 13 + rows * (cols + 4))).reshape('c', rows, cols + 4);
    return wide.get(NDArrayIndex.all(), NDArrayIndex.interval(2, 2 + cols));
  }
}
