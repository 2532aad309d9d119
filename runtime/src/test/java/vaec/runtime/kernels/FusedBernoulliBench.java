package vaec.runtime.kernels;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Not a test: a benchmark of the Bernoulli log-density's element-wise work on one thread, ND4J's
 * ops (the neutral path) against the fused kernel, alternating, in CPU time of the calling thread
 * (so that other processes on a shared machine count less). Forward and backward as the op runs
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
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    int rounds = 15, reps = 100;
    double[] nd4j = new double[rounds], fused = new double[rounds];
    for (int round = -3; round < rounds; round++) {   // three rounds of warm-up
      long t0 = mx.getCurrentThreadCpuTime();
      for (int i = 0; i < reps; i++) {
        Kernels.softplus(l, t);
        Kernels.mul(x, l, xl);
        t.rsubi(xl);
        Kernels.rowSum(t, out);
        Kernels.sigmoid(l, d);
        d.rsubi(x);
        Kernels.putRowScaled(gl, d, g);
      }
      long t1 = mx.getCurrentThreadCpuTime();
      for (int i = 0; i < reps; i++) {
        FusedBernoulli.forward(x, l, out, d);
        FusedBernoulli.scaleRows(d, g, gl);
      }
      long t2 = mx.getCurrentThreadCpuTime();
      if (round >= 0) {
        nd4j[round] = (t1 - t0) / 1e3 / reps;
        fused[round] = (t2 - t1) / 1e3 / reps;
      }
    }
    Arrays.sort(nd4j);
    Arrays.sort(fused);
    System.out.printf("Bernoulli log-density forward + backward on %d x %d, one thread, CPU us per call (median of %d rounds):%n", b, w, rounds);
    System.out.printf("  ND4J ops %.1f   fused %.1f   ratio %.2f%n", nd4j[rounds / 2], fused[rounds / 2], nd4j[rounds / 2] / fused[rounds / 2]);
  }
}
