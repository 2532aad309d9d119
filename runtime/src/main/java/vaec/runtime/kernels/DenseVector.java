package vaec.runtime.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link FusedDense}'s two passes with the Vector API ({@link VectorApi}) in place on the native
 * buffers, row by row (any row strides, unit column stride), the ends of rows that do not fill a
 * vector element by element with the same arithmetic. Only loaded when {@link VectorApi#ON}.
 *
 * <p>Both compare with "less than" only, as AdamVector does (y &gt; 0 as -y &lt; 0, also false for
 * NaN): with a "greater than" comparison here as well, the fused Bernoulli kernel, compiled in the
 * same JVM, ran 3.5 times slower (1.2 against 4.3 ms on 640 x 784, measured in one JVM after
 * either form of this kernel had run), C2 apparently no longer compiling its vectors as vectors.
 */
final class DenseVector {
  private DenseVector() {}

  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

  static void biasRelu(INDArray x, INDArray b, INDArray z) {
    int rows = (int) x.rows(), w = (int) x.columns();
    if (rows == 0 || w == 0) return;
    ByteBuffer xb = Handles.bytes(x), bb = Handles.bytes(b), zb = Handles.bytes(z);
    long xo = x.offset(), xs = x.stride(0), zo = z.offset(), zs = z.stride(0);
    int bo = (int) (4 * b.offset());
    int lanes = F.length();
    for (int r = 0; r < rows; r++) {
      int xr = (int) (4 * (xo + r * xs)), zr = (int) (4 * (zo + r * zs));
      int c = 0;
      for (; c <= w - lanes; c += lanes) {
        FloatVector v = FloatVector.fromByteBuffer(F, xb, xr + 4 * c, NATIVE).add(FloatVector.fromByteBuffer(F, bb, bo + 4 * c, NATIVE));
        v.blend(0f, v.lt(0f)).intoByteBuffer(zb, zr + 4 * c, NATIVE);   // v < 0 ? 0 : v, as ND4J's RectifiedLinear
      }
      for (; c < w; c++) {
        float v = xb.getFloat(xr + 4 * c) + bb.getFloat(bo + 4 * c);
        zb.putFloat(zr + 4 * c, v < 0f ? 0f : v);
      }
    }
  }

  static void reluGradient(INDArray y, INDArray g, INDArray d) {
    int rows = (int) y.rows(), w = (int) y.columns();
    if (rows == 0 || w == 0) return;
    ByteBuffer yb = Handles.bytes(y), gb = Handles.bytes(g), db = Handles.bytes(d);
    long yo = y.offset(), ys = y.stride(0), go = g.offset(), gs = g.stride(0), dOff = d.offset(), ds = d.stride(0);
    int lanes = F.length();
    for (int r = 0; r < rows; r++) {
      int yr = (int) (4 * (yo + r * ys)), gr = (int) (4 * (go + r * gs)), dr = (int) (4 * (dOff + r * ds));
      int c = 0;
      for (; c <= w - lanes; c += lanes) {
        VectorMask<Float> on = FloatVector.fromByteBuffer(F, yb, yr + 4 * c, NATIVE).neg().lt(0f);   // y > 0, false for NaN
        // vectors made inside the loop only: a vector held across it was a heap object every call (StepAllocationTest)
        FloatVector.broadcast(F, 0f).blend(1f, on).mul(FloatVector.fromByteBuffer(F, gb, gr + 4 * c, NATIVE))
            .intoByteBuffer(db, dr + 4 * c, NATIVE);
      }
      for (; c < w; c++) db.putFloat(dr + 4 * c, (yb.getFloat(yr + 4 * c) > 0f ? 1f : 0f) * gb.getFloat(gr + 4 * c));
    }
  }
}
