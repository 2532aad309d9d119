package vaec.runtime.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A ReLU dense layer's element-wise work around its gemms, one pass each way where ND4J took two:
 * the bias added to every row together with the ReLU after the forward gemm, and ReLU's gradient
 * {@code step(y) g} before the backward gemms. With the JDK's Vector API
 * ({@link VectorApi}) in place on ND4J's native buffers (DenseVector); the same floats as ND4J's
 * broadcast addition, its RectifiedLinear ({@code v < 0 ? 0 : v}, so -0 and NaN pass through) and
 * its Step times the gradient ({@code (y > 0 ? 1 : 0) g}, so a zero step times an infinite or NaN
 * gradient is NaN as before): FusedDenseTest compares them bit for bit. Without the Vector API (Java
 * 19 and later, VAEC_VECTOR=0) or off the direct kernels, {@link #appliesForward} and {@link
 * #appliesBackward} are false and the layer keeps ND4J's ops. Measured (FusedDenseBench, one thread, CPU time, median of 1,000 calls each,
 * alternating, load 9): 99.9 against 85.5 us forward and 123.0 against 105.8 us backward on
 * 640 x 400 (the mixture's decoder layer, a half of the batch), 12.9 against 9.4 and 11.1 against
 * 9.9 us on 64 x 400. A form of the pass adding the bias alone (a linear layer; since removed)
 * measured slower than ND4J's addition (83.8 against 50.4 us), so linear layers keep ND4J's.
 * Inside a training run (the mixture, 640 x 400, the paths alternated by a probe build): medians
 * of 82.7 against 167.9 us forward, 210.7 against 297.8 us backward; until C2 has compiled them
 * (the first few hundred calls) these passes run many times slower, like every Vector API kernel,
 * so a JIT warm-up before training should call them (bench/PERFORMANCE_LOG.md, "A ReLU layer's bias and activation
 * as one fused kernel").
 */
public final class FusedDense {
  private FusedDense() {}

  /** Whether {@link #biasRelu} runs on these arrays: float32 rows of unit column stride, a bias of unit stride. */
  public static boolean appliesForward(INDArray bias, INDArray x, INDArray z) {
    return same(x, z) && fitsBias(bias, x.columns());
  }

  /** Whether {@link #reluGradient} runs on these arrays. */
  public static boolean appliesBackward(INDArray y, INDArray g, INDArray d) {
    return same(y, g) && same(y, d);
  }

  private static boolean same(INDArray a, INDArray b) {
    return VectorApi.ON && FusedBernoulli.applies(a, b) && a.rows() == b.rows() && a.columns() == b.columns();
  }

  private static boolean fitsBias(INDArray b, long w) {
    return b.dataType() == DataType.FLOAT && b.length() == w
        && (w <= 1 || b.rank() == 1 && b.stride(0) == 1 || b.rank() == 2 && b.rows() == 1 && b.stride(1) == 1);
  }

  /** z = relu(x + b), b added to every row; x and z may be the same array. */
  public static void biasRelu(INDArray x, INDArray b, INDArray z) {
    VectorApi.KERNELS.biasRelu(x, b, z);
  }

  /** d = (y &gt; 0 ? 1 : 0) g: ReLU's gradient from its output y and the incoming gradient g; d may be g. */
  public static void reluGradient(INDArray y, INDArray g, INDArray d) {
    VectorApi.KERNELS.reluGradient(y, g, d);
  }
}
