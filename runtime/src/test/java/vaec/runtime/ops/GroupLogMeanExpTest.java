package vaec.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The sample-axis reduction: values per group against a direct computation, and its gradient's weights. */
class GroupLogMeanExpTest {
  @Test
  void eachGroupOfConsecutiveRowsGetsItsLogMeanExp() {
    double[] x = {-1, 0, 2, 1000, 1000.5, 999};   // the second group would overflow without the max shift
    INDArray in = Nd4j.createFromArray(x).reshape(6, 1).castTo(DataType.DOUBLE);
    INDArray out = Nd4j.create(DataType.DOUBLE, 6, 1);
    new GroupLogMeanExp(3).forward(new INDArray[] {in}, out, new INDArray[0]);
    double a = Math.log((Math.exp(-1) + Math.exp(0) + Math.exp(2)) / 3);
    double b = 1000 + Math.log((1 + Math.exp(0.5) + Math.exp(-1)) / 3);
    for (int r = 0; r < 3; r++) assertEquals(a, out.getDouble(r, 0), 1e-12);
    for (int r = 3; r < 6; r++) assertEquals(b, out.getDouble(r, 0), 1e-9);
    INDArray g = Nd4j.ones(DataType.DOUBLE, 6, 1);   // d(mean over rows)/d out, times rows
    INDArray gIn = Nd4j.create(DataType.DOUBLE, 6, 1);
    new GroupLogMeanExp(3).backward(new INDArray[] {in}, out, g, new INDArray[] {gIn}, new INDArray[0]);
    double wsum = 0;
    for (int r = 0; r < 3; r++) wsum += gIn.getDouble(r, 0);
    assertEquals(3, wsum, 1e-12);   // the weights of a group sum to one, times the group's three output gradients
    assertThrows(IllegalStateException.class,
        () -> new GroupLogMeanExp(4).forward(new INDArray[] {in}, out, new INDArray[0]));
  }
}
