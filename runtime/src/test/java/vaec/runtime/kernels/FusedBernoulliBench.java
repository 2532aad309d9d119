package vaec.runtime.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Not a test: a benchmark of the Bernoulli log-density's element-wise work on one thread, ND4J's
 * ops (the neutral path) against the fused kernel, alternating, in CPU time of the calling thread
 * ({@link KernelBench#rounds}). Forward and backward as the op runs
 * them: ND4J softplus, multiply, subtract, row sum, sigmoid, subtract, row scaling; fused forward
 * (which leaves x - sigmoid(l)) and the Java row scaling.
 *
 * <pre>
 * mvn -B -q -o test-compile -pl runtime -am
 * OMP_NUM_THREADS=1 java -cp runtime/target/test-classes:runtime/target/classes:$(cat cli/target/classpath.txt) \
 *     vaec.runtime.kernels.FusedBernoulliBench [rows] [width]
 * </pre>
 */
public final class FusedBernoulliBench {
  private FusedBernoulliBench() {}

  public static void main(String[] args) {
    int b = args.length > 0 ? Integer.parseInt(args[0]) : 128;
    int w = args.length > 1 ? Integer.parseInt(args[1]) : 784;
    Nd4j.getRandom().setSeed(1);
    INDArray x = Nd4j.rand(DataType.FLOAT, b, w);
    INDArray l = Nd4j.randn(DataType.FLOAT, b, w).muli(5);
    INDArray out = Nd4j.create(DataType.FLOAT, b, 1), g = Nd4j.rand(DataType.FLOAT, b, 1);
    INDArray t = Nd4j.create(DataType.FLOAT, b, w), xl = Nd4j.create(DataType.FLOAT, b, w);
    INDArray d = Nd4j.create(DataType.FLOAT, b, w), gl = Nd4j.create(DataType.FLOAT, b, w);
    KernelBench.rounds(String.format("Bernoulli log-density forward + backward on %d x %d", b, w), () -> {
      Kernels.softplus(l, t);
      Kernels.mul(x, l, xl);
      t.rsubi(xl);
      Kernels.rowSum(t, out);
      Kernels.sigmoid(l, d);
      d.rsubi(x);
      Kernels.putRowScaled(gl, d, g);
    }, () -> {
      FusedBernoulli.forward(x, l, out, d);
      FusedBernoulli.scaleRows(d, g, gl);
    }, 15, 100);
  }
}
