package vaec.runtime.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Not a test: a benchmark of a tanh dense layer's element-wise work on one thread, ND4J's ops (the
 * neutral path: bias row addition, tanh; y^2, 1 - y^2, times the gradient) against the fused
 * kernel (one pass each way), alternating, in CPU time of the calling thread.
 *
 * <pre>
 * mvn -B -q -o test-compile -pl runtime -am
 * OMP_NUM_THREADS=1 java -cp runtime/target/test-classes:runtime/target/classes:$(cat cli/target/classpath.txt) \
 *     vaec.runtime.kernels.FusedTanhBench [rows] [width]
 * </pre>
 */
public final class FusedTanhBench {
  private FusedTanhBench() {}

  public static void main(String[] args) {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 128;
    int w = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    Nd4j.getRandom().setSeed(1);
    INDArray pre = Nd4j.randn(DataType.FLOAT, rows, w).muli(2), b = Nd4j.randn(DataType.FLOAT, w);
    INDArray z = Nd4j.create(DataType.FLOAT, rows, w), g = Nd4j.randn(DataType.FLOAT, rows, w), d = Nd4j.create(DataType.FLOAT, rows, w);
    KernelBench.rounds(String.format("tanh layer bias + activation + derivative on %d x %d", rows, w), () -> {
      Kernels.addRow(pre, b, z);
      Kernels.tanh(z, z);
      z.mul(z, d);
      d.rsubi(1.0);
      Kernels.mul(d, g, d);
    }, () -> {
      FusedTanh.biasTanh(pre, b, z);
      FusedTanh.gradient(z, g, d);
    }, 15, 200);
  }
}
