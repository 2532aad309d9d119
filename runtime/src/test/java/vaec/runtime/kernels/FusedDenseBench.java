package vaec.runtime.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Not a test: a ReLU dense layer's element-wise work on one thread, ND4J's ops (broadcast bias
 * addition and RectifiedLinear forward; Step and the product with the gradient backward) against
 * the fused Vector API passes ({@link FusedDense}); alternating call by call, median CPU microseconds of the calling thread.
 * Needs {@code --add-modules jdk.incubator.vector} (Java 16-18).
 *
 * <pre>
 * mvn -B -q -o test-compile -pl runtime -am
 * OMP_NUM_THREADS=1 java --add-modules jdk.incubator.vector \
 *     -cp runtime/target/test-classes:runtime/target/classes:$(cat cli/target/classpath.txt) \
 *     vaec.runtime.kernels.FusedDenseBench [rows] [width]
 * </pre>
 */
public final class FusedDenseBench {
  private FusedDenseBench() {}

  public static void main(String[] args) {
    if (!VectorApi.ON) throw new IllegalStateException("no Vector API kernels: run with --add-modules jdk.incubator.vector on Java 16-18");
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 640;
    int w = args.length > 1 ? Integer.parseInt(args[1]) : 400;
    int calls = 1000;
    Nd4j.getRandom().setSeed(1);
    INDArray pre = Nd4j.randn(DataType.FLOAT, rows, w), b = Nd4j.randn(DataType.FLOAT, w), z = Nd4j.create(DataType.FLOAT, rows, w);
    INDArray y = Nd4j.randn(DataType.FLOAT, rows, w), g = Nd4j.randn(DataType.FLOAT, rows, w), d = Nd4j.create(DataType.FLOAT, rows, w);
    Kernels.relu(y, y);
    String shape = rows + " x " + w;
    KernelBench.calls("bias + ReLU, " + shape, () -> {
      Kernels.addRow(pre, b, z);
      Kernels.relu(z, z);
    }, () -> FusedDense.biasRelu(pre, b, z), calls);
    KernelBench.calls("ReLU gradient, " + shape, () -> {
      Kernels.step(y, d);
      Kernels.mul(d, g, d);
    }, () -> FusedDense.reluGradient(y, g, d), calls);
  }
}
