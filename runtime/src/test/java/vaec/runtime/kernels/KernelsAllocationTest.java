package vaec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The kernels a training step calls make no ND4J buffer once warmed up (every ND4J data buffer
 * takes a number from the deallocator service's counter when it is made, so its advance over a
 * call counts them), and compute what they say, on whole buffers, on row-half views (what the
 * helper thread gets), on column views, in place, and with batch x 1 and 1 x w broadcasting.
 */
class KernelsAllocationTest {
  static final int ROWS = 16;
  static final int COLS = 10;

  static long buffersMadeBy(Runnable r) {
    r.run();   // warm-up: the thread's reusable ops and scalars are made on first use
    r.run();
    long before = Nd4j.getDeallocatorService().nextValue();
    r.run();
    return Nd4j.getDeallocatorService().nextValue() - before - 1;   // nextValue itself takes one
  }

  static INDArray rand(long r, long c, double lo) {
    return Nd4j.rand(DataType.FLOAT, r, c).addi(lo);
  }

  @Test
  void everyKernelMakesNoBufferAndComputesWhatItSays() {
    Nd4j.getRandom().setSeed(7);
    INDArray x = rand(ROWS, COLS, -0.5);
    INDArray y = rand(ROWS, COLS, 0.5);     // positive: a divisor
    INDArray col = rand(ROWS, 1, 0.5);
    INDArray row = rand(1, COLS, -0.5);
    INDArray z = Nd4j.create(DataType.FLOAT, ROWS, COLS);
    Map<String, Runnable> kernels = new LinkedHashMap<>();
    Map<String, DoubleBinaryOperator> expected = new LinkedHashMap<>();   // (x, y) -> z, element (i, j)
    kernels.put("relu", () -> Kernels.relu(x, z));
    expected.put("relu", (a, b) -> Math.max(a, 0));
    kernels.put("step", () -> Kernels.step(x, z));
    expected.put("step", (a, b) -> a > 0 ? 1 : 0);
    kernels.put("scale", () -> Kernels.scale(x, -2.5, z));
    expected.put("scale", (a, b) -> -2.5 * a);
    kernels.put("addScalar", () -> Kernels.addScalar(x, 0.75, z));
    expected.put("addScalar", (a, b) -> a + 0.75);
    kernels.put("rsubScalar", () -> Kernels.rsubScalar(x, 1.0, z));
    expected.put("rsubScalar", (a, b) -> 1.0 - a);
    kernels.put("rdivScalar", () -> Kernels.rdivScalar(y, 3.0, z));
    expected.put("rdivScalar", (a, b) -> 3.0 / b);
    kernels.put("fill", () -> Kernels.fill(z, 0.125));
    expected.put("fill", (a, b) -> 0.125);
    kernels.put("mul", () -> Kernels.mul(x, y, z));
    expected.put("mul", (a, b) -> a * b);
    kernels.put("add", () -> Kernels.add(x, y, z));
    expected.put("add", (a, b) -> a + b);
    kernels.put("sub", () -> Kernels.sub(x, y, z));
    expected.put("sub", (a, b) -> a - b);
    kernels.put("div", () -> Kernels.div(x, y, z));
    expected.put("div", (a, b) -> a / b);
    kernels.put("exp", () -> Kernels.exp(x, z));
    expected.put("exp", (a, b) -> Math.exp(a));
    for (String k : kernels.keySet()) {
      z.assign(Double.NaN);
      assertEquals(0, buffersMadeBy(kernels.get(k)), k + ": ND4J buffers made");
      for (int i = 0; i < ROWS; i++) {
        for (int j = 0; j < COLS; j++) {
          assertEquals(expected.get(k).applyAsDouble(x.getDouble(i, j), y.getDouble(i, j)), z.getDouble(i, j), 1e-5, k + " at " + i + "," + j);
        }
      }
    }

    z.assign(Double.NaN);
    assertEquals(0, buffersMadeBy(() -> Kernels.putRowScaled(z, x, col)), "putRowScaled: ND4J buffers made");
    for (int i = 0; i < ROWS; i++) for (int j = 0; j < COLS; j++) assertEquals(x.getDouble(i, j) * col.getDouble(i, 0), z.getDouble(i, j), 1e-6);
    assertEquals(0, buffersMadeBy(() -> Kernels.subColumn(x, col, z)), "subColumn: ND4J buffers made");
    for (int i = 0; i < ROWS; i++) for (int j = 0; j < COLS; j++) assertEquals(x.getDouble(i, j) - col.getDouble(i, 0), z.getDouble(i, j), 1e-6);
    assertEquals(0, buffersMadeBy(() -> Kernels.addRow(x, row, z)), "addRow: ND4J buffers made");
    for (int i = 0; i < ROWS; i++) for (int j = 0; j < COLS; j++) assertEquals(x.getDouble(i, j) + row.getDouble(0, j), z.getDouble(i, j), 1e-6);
    INDArray bias = row.dup().reshape(COLS);   // rank 1, as a parameter view is
    Kernels.addRow(x, bias, z);
    for (int i = 0; i < ROWS; i++) for (int j = 0; j < COLS; j++) assertEquals(x.getDouble(i, j) + row.getDouble(0, j), z.getDouble(i, j), 1e-6);
  }

  @Test
  void viewsAndInPlace() {
    Nd4j.getRandom().setSeed(8);
    INDArray x = rand(ROWS, COLS, -0.5);
    INDArray y = rand(ROWS, COLS, -0.5);
    INDArray before = x.dup();
    // In place: z is an input, as x.muli(y) and x.muli(0.5) are.
    Kernels.mul(x, y, x);
    Kernels.scale(x, 0.5, x);
    for (int i = 0; i < ROWS; i++) for (int j = 0; j < COLS; j++) assertEquals(before.getDouble(i, j) * y.getDouble(i, j) * 0.5, x.getDouble(i, j), 1e-6);
    // The bottom row half (a view with an offset) and a column slice (a strided view).
    INDArray wide = rand(ROWS, 2 * COLS, -0.5);
    INDArray bottom = wide.get(NDArrayIndex.interval(ROWS / 2, ROWS), NDArrayIndex.all());
    INDArray right = wide.get(NDArrayIndex.all(), NDArrayIndex.interval(COLS, 2 * COLS));
    INDArray orig = wide.dup();
    Kernels.addScalar(bottom, 1.0, bottom);
    Kernels.add(right, y, right);
    for (int i = 0; i < ROWS; i++) {
      for (int j = 0; j < 2 * COLS; j++) {
        double e = orig.getDouble(i, j) + (i >= ROWS / 2 ? 1 : 0) + (j >= COLS ? y.getDouble(i, j - COLS) : 0);
        assertEquals(e, wide.getDouble(i, j), 1e-6, "at " + i + "," + j);
      }
    }
  }

  @Test
  void rowMaxOnWholeArraysAndViews() {
    Nd4j.getRandom().setSeed(9);
    INDArray wide = rand(ROWS, 2 * COLS, -0.5);
    wide.putScalar(3, 7, Float.NaN);
    INDArray out = Nd4j.create(DataType.FLOAT, ROWS, 3);
    INDArray max = Nd4j.create(DataType.FLOAT, ROWS, 1);
    INDArray right = wide.get(NDArrayIndex.all(), NDArrayIndex.interval(COLS, 2 * COLS));
    INDArray bottom = wide.get(NDArrayIndex.interval(ROWS / 2, ROWS), NDArrayIndex.all());
    INDArray outColumn = out.get(NDArrayIndex.interval(ROWS / 2, ROWS), NDArrayIndex.interval(1, 2));   // strided rows
    assertEquals(0, buffersMadeBy(() -> Kernels.rowMax(wide, max)), "rowMax: ND4J buffers made");
    for (int i = 0; i < ROWS; i++) {
      double m = i == 3 ? Double.NaN : wide.getRow(i).maxNumber().doubleValue();
      assertEquals(m, max.getDouble(i, 0), 0.0, "row " + i);
    }
    Kernels.rowMax(right, max);
    for (int i = 0; i < ROWS; i++) assertEquals(right.getRow(i).maxNumber().doubleValue(), max.getDouble(i, 0), 0.0, "right, row " + i);
    Kernels.rowMax(bottom, outColumn);
    for (int i = 0; i < ROWS / 2; i++) assertEquals(bottom.getRow(i).maxNumber().doubleValue(), out.getDouble(ROWS / 2 + i, 1), 0.0, "bottom, row " + i);
  }

  @Test
  void kernelsOnTwoThreadsAtOnceKeepTheirOwnScalars() throws Exception {
    INDArray x = Nd4j.ones(DataType.FLOAT, 64, 64);
    INDArray a = Nd4j.create(DataType.FLOAT, 64, 64);
    INDArray b = Nd4j.create(DataType.FLOAT, 64, 64);
    Thread t = new Thread(() -> { for (int i = 0; i < 2000; i++) Kernels.scale(x, 3.0, b); });
    t.start();
    for (int i = 0; i < 2000; i++) Kernels.scale(x, 2.0, a);
    t.join();
    assertEquals(2.0 * 64 * 64, a.sumNumber().doubleValue(), 1e-3);
    assertEquals(3.0 * 64 * 64, b.sumNumber().doubleValue(), 1e-3);
  }
}
