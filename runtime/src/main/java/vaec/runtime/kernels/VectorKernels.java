package vaec.runtime.kernels;

import java.nio.ByteBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The kernels that use the JDK's Vector API, as one interface, so that nothing else in the
 * runtime names a class of the incubator module: {@link VectorApi#KERNELS} is an instance of
 * {@code VectorKernelsJdk17} (loaded by name) when the module is there, else null and every caller
 * takes its heap-copy path. On Java 19 and later the Vector API reads native memory through
 * memory segments rather than byte buffers, so the build leaves the implementing classes out
 * there (runtime/pom.xml's profiles) and these kernels run their heap-copy forms.
 */
public interface VectorKernels {
  /** Adam's check: negative when a gradient in [from, to) of g (a native float buffer) is NaN or infinite. */
  int adamCheck(ByteBuffer g, int from, int to);

  /** Adam's update in place over [from, to) ({@link vaec.runtime.optim.Adam}). */
  void adamUpdate(ByteBuffer p, ByteBuffer g, float[] m, float[] v, int from, int to, float b1, float b2, float step, float e,
                  float gMin, float m1Min, float mMin);

  /** {@link FusedBernoulli#forward}. */
  void bernoulliForward(INDArray x, INDArray l, INDArray out, INDArray d);

  /** {@link FusedBernoulli#scaleRows}. */
  void bernoulliScaleRows(INDArray d, INDArray g, INDArray target);

  /** The Bernoulli kernel's arithmetic on heap arrays (n a multiple of {@link #lanes()}), for tests. */
  void bernoulliElementwise(float[] x, float[] l, float[] v, float[] d, int n);

  /** {@link RowBlocks#sumBlocks} for float32 rows of unit column stride. */
  void sumBlocks(INDArray in, INDArray out, int r, int w, int k);

  /** {@link Fold#fold} for float32 vectors of unit stride. */
  void fold(INDArray g, float w0, INDArray g2, float w1);

  /** {@link FusedDense#biasRelu}. */
  void biasRelu(INDArray x, INDArray b, INDArray z);

  /** {@link FusedDense#reluGradient}. */
  void reluGradient(INDArray y, INDArray g, INDArray d);

  /** The float lanes of one vector. */
  int lanes();
}
