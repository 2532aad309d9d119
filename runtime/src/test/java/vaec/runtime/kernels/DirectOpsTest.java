package vaec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The element-wise kernels that go straight to libnd4j (DirectOps, with addresses from Handles)
 * give the same bits as ND4J's own executioner (the neutral path, VAEC_KERNELS=neutral), on whole
 * arrays, row-half views, column views (strided) and in place, with batch x 1 and 1 x w
 * broadcasting; and once warmed up a call allocates no Java heap on the calling thread.
 */
class DirectOpsTest {
  static final int ROWS = 64;
  static final int COLS = 37;

  /** op(x, y, z) for each kernel, y a second operand where the kernel takes one. */
  static Map<String, Op> kernels() {
    Map<String, Op> k = new LinkedHashMap<>();
    k.put("exp", (x, y, z) -> Kernels.exp(x, z));
    k.put("log", (x, y, z) -> Kernels.log(y, z));
    k.put("softplus", (x, y, z) -> Kernels.softplus(x, z));
    k.put("sigmoid", (x, y, z) -> Kernels.sigmoid(x, z));
    k.put("tanh", (x, y, z) -> Kernels.tanh(x, z));
    k.put("sqrt", (x, y, z) -> Kernels.sqrt(y, z));
    k.put("abs", (x, y, z) -> Kernels.abs(x, z));
    k.put("copy", (x, y, z) -> Kernels.copy(x, z));
    k.put("relu", (x, y, z) -> Kernels.relu(x, z));
    k.put("step", (x, y, z) -> Kernels.step(x, z));
    k.put("scale", (x, y, z) -> Kernels.scale(x, -2.5, z));
    k.put("addScalar", (x, y, z) -> Kernels.addScalar(x, 0.75, z));
    k.put("rsubScalar", (x, y, z) -> Kernels.rsubScalar(x, 1.0, z));
    k.put("rdivScalar", (x, y, z) -> Kernels.rdivScalar(y, 3.0, z));
    k.put("fill", (x, y, z) -> Kernels.fill(z, 0.1));
    k.put("mul", Kernels::mul);
    k.put("add", Kernels::add);
    k.put("sub", Kernels::sub);
    k.put("div", Kernels::div);
    k.put("mulColumn", (x, y, z) -> Kernels.mul(x, y.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1)).dup(), z));
    k.put("addRow", (x, y, z) -> Kernels.addRow(x, y.get(NDArrayIndex.interval(0, 1), NDArrayIndex.all()).dup(), z));
    return k;
  }

  interface Op { void run(INDArray x, INDArray y, INDArray z); }

  /** x in [-4, 4), y in [0.5, 4.5) (a divisor, a log's and a root's argument). */
  static INDArray[] operands(DataType t, long seed) {
    Nd4j.getRandom().setSeed(seed);
    INDArray x = Nd4j.rand(t, ROWS, COLS).muli(8).subi(4);
    INDArray y = Nd4j.rand(t, ROWS, COLS).muli(4).addi(0.5);
    return new INDArray[] {x, y};
  }

  static INDArray run(Op op, INDArray[] xy, String layout, boolean neutral) {
    KernelPath.forceNeutral(neutral);
    try {
      INDArray x = xy[0].dup(), y = xy[1].dup();
      INDArray z = Nd4j.zeros(x.dataType(), ROWS, COLS + 3);
      switch (layout) {
        case "whole" -> { INDArray zz = z.get(NDArrayIndex.all(), NDArrayIndex.interval(0, COLS)).dup(); op.run(x, y, zz); return zz; }
        case "rowHalf" -> {
          INDArray zz = Nd4j.zeros(x.dataType(), ROWS, COLS);
          INDArray h = NDArrayIndex.interval(ROWS / 2, ROWS) == null ? null : zz.get(NDArrayIndex.interval(ROWS / 2, ROWS), NDArrayIndex.all());
          op.run(x.get(NDArrayIndex.interval(ROWS / 2, ROWS), NDArrayIndex.all()), y.get(NDArrayIndex.interval(ROWS / 2, ROWS), NDArrayIndex.all()), h);
          return zz;
        }
        case "columns" -> {   // a strided output view: a column slice of a wider matrix
          op.run(x, y, z.get(NDArrayIndex.all(), NDArrayIndex.interval(1, COLS + 1)));
          return z;
        }
        case "inPlace" -> { op.run(x, y, x); return x; }
        default -> throw new IllegalArgumentException(layout);
      }
    } finally {
      KernelPath.forceNeutral(false);
    }
  }

  @Test
  void directKernelsGiveNd4jsBits() {
    for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      INDArray[] xy = operands(t, 11);
      for (Map.Entry<String, Op> k : kernels().entrySet()) {
        for (String layout : new String[] {"whole", "rowHalf", "columns", "inPlace"}) {
          INDArray direct = run(k.getValue(), xy, layout, false);
          INDArray neutral = run(k.getValue(), xy, layout, true);
          String what = k.getKey() + " " + t + " " + layout;
          if (t == DataType.FLOAT) assertArrayEquals(bits(neutral.dup('c').data().asFloat()), bits(direct.dup('c').data().asFloat()), what);
          else assertArrayEquals(neutral.dup('c').data().asDouble(), direct.dup('c').data().asDouble(), 0.0, what);
          if (!k.getKey().equals("fill")) assertTrue(direct.amaxNumber().doubleValue() > 0, what + ": computed something");
        }
      }
    }
  }

  static org.nd4j.linalg.api.ops.random.BaseRandomOp gaussian(INDArray z) {
    return new org.nd4j.linalg.api.ops.random.impl.GaussianDistribution(z, 0.0, 1.0);
  }

  static int[] bits(float[] v) {
    int[] b = new int[v.length];
    for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
    return b;
  }

  @Test
  void aWarmCallAllocatesNoHeap() {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long me = Thread.currentThread().getId();
    INDArray[] xy = operands(DataType.FLOAT, 5);
    INDArray x = xy[0], y = xy[1], z = Nd4j.zeros(DataType.FLOAT, ROWS, COLS);
    INDArray col = y.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1)).dup();
    INDArray zView = Nd4j.zeros(DataType.FLOAT, ROWS, COLS + 3).get(NDArrayIndex.all(), NDArrayIndex.interval(1, COLS + 1));
    Map<String, Op> k = kernels();
    k.put("mulColumn", (a, b, c) -> Kernels.mul(a, col, c));   // the same column array every call, as an executor's buffers are
    k.remove("addRow");
    org.nd4j.linalg.api.rng.Random rng = Nd4j.getRandomFactory().getNewRandomInstance(3);
    k.put("gaussian", (a, b, c) -> Kernels.random(c, 0, DirectOpsTest::gaussian, rng));
    for (Map.Entry<String, Op> e : k.entrySet()) {
      for (INDArray out : new INDArray[] {z, zView}) {
        for (int i = 0; i < 200; i++) e.getValue().run(x, y, out);   // warm-up: handles made, the JIT settled
        // The fewest bytes over three windows of 100 calls: a JIT recompilation while a window
        // runs can allocate once on this thread (seen: 448 bytes in one window, then 0).
        long fewest = Long.MAX_VALUE;
        for (int w = 0; w < 3; w++) {
          long before = threads.getThreadAllocatedBytes(me);
          for (int i = 0; i < 100; i++) e.getValue().run(x, y, out);
          fewest = Math.min(fewest, threads.getThreadAllocatedBytes(me) - before);
        }
        assertEquals(0, fewest, e.getKey() + ": heap bytes over 100 warm calls");
      }
    }
  }

  @Test
  void randomFillsGiveNd4jsNumbers() {
    for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      for (int kind = 0; kind < 2; kind++) {
        int k = kind;
        java.util.function.Function<INDArray, org.nd4j.linalg.api.ops.random.BaseRandomOp> make = z -> k == 0
            ? new org.nd4j.linalg.api.ops.random.impl.GaussianDistribution(z, 0.0, 1.0)
            : new org.nd4j.linalg.api.ops.random.impl.UniformDistribution(z, 0.0, 1.0);
        INDArray[] got = new INDArray[2];
        for (int neutral = 0; neutral < 2; neutral++) {
          KernelPath.forceNeutral(neutral == 1);
          try {
            org.nd4j.linalg.api.rng.Random rng = Nd4j.getRandomFactory().getNewRandomInstance(42);
            INDArray z = Nd4j.zeros(t, ROWS, COLS);
            for (int step = 0; step < 3; step++) {   // the second and third fills reuse what the first learned
              rng.setSeed(100 + step);
              Kernels.random(z, k, make, rng);
            }
            got[neutral] = z;
          } finally {
            KernelPath.forceNeutral(false);
          }
        }
        String what = (k == 0 ? "gaussian " : "uniform ") + t;
        assertArrayEquals(got[1].dup('c').data().asDouble(), got[0].dup('c').data().asDouble(), 0.0, what);
        assertTrue(got[0].stdNumber().doubleValue() > 0.2, what + ": random numbers, not a constant");
      }
    }
  }

  @Test
  void elementsOfVectorViewsAreReadAndWrittenWhereNd4jHasThem() {
    INDArray m = Nd4j.rand(DataType.FLOAT, 6, 5);
    INDArray flat = Nd4j.rand(DataType.FLOAT, 40);
    INDArray[] vectors = {
        m.get(NDArrayIndex.interval(2, 3), NDArrayIndex.all()),          // a row (1 x 5) inside a matrix
        m.get(NDArrayIndex.all(), NDArrayIndex.interval(3, 4)),          // a column (6 x 1), strided
        flat.get(NDArrayIndex.interval(7, 9)).reshape(1, 2),             // a parameter's 1 x 2 view inside a flat vector
        flat.get(NDArrayIndex.interval(11, 20)),                         // rank 1, offset
    };
    for (INDArray v : vectors) {
      for (long i = 0; i < v.length(); i++) {
        assertEquals(v.getDouble(i), Kernels.element(v, i), 0.0, "element " + i + " of " + v.shapeInfoToString());
        double x = 0.1 + i;
        Kernels.putElement(v, i, x);
        assertEquals((float) x, v.getFloat(i), 0.0f, "written element " + i);
      }
    }
  }

  @Test
  void handlesForgetArraysNobodyHolds() {
    Handles.Table table = new Handles.Table();
    java.lang.ref.WeakReference<INDArray> gone;
    {
      INDArray a = Nd4j.zeros(DataType.FLOAT, 3, 3);
      Handles.Entry e = table.of(a);
      assertTrue(e == table.of(a), "one entry per array");
      gone = new java.lang.ref.WeakReference<>(a);
    }
    // The table holds arrays weakly: an array nobody holds can be collected.
    for (int i = 0; i < 50 && gone.get() != null; i++) {
      System.gc();
      for (int j = 0; j < 2000; j++) table.of(Nd4j.scalar(DataType.FLOAT, j));   // fills and rebuilds the table
    }
    assertTrue(gone.get() == null, "an array held only by the handle table was not collected");
  }
}
