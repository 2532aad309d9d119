package vaec.runtime.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@link Fold} in one pass over the native buffers with the Vector API. Only loaded when {@link VectorApi#ON}. */
final class FoldVector {
  private FoldVector() {}

  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

  static void fold(INDArray g, float w0, INDArray g2, float w1) {
    ByteBuffer a = Handles.bytes(g), b = Handles.bytes(g2);
    int ao = (int) (4 * g.offset()), bo = (int) (4 * g2.offset());
    int n = (int) g.length();
    int i = 0;
    int lanes = F.length();
    if (w0 == w1) {
      for (; i <= n - lanes; i += lanes) {
        FloatVector.fromByteBuffer(F, a, ao + 4 * i, NATIVE).add(FloatVector.fromByteBuffer(F, b, bo + 4 * i, NATIVE)).mul(w0)
            .intoByteBuffer(a, ao + 4 * i, NATIVE);
      }
      for (; i < n; i++) a.putFloat(ao + 4 * i, (a.getFloat(ao + 4 * i) + b.getFloat(bo + 4 * i)) * w0);
    } else {
      for (; i <= n - lanes; i += lanes) {
        FloatVector.fromByteBuffer(F, a, ao + 4 * i, NATIVE).mul(w0).add(FloatVector.fromByteBuffer(F, b, bo + 4 * i, NATIVE).mul(w1))
            .intoByteBuffer(a, ao + 4 * i, NATIVE);
      }
      for (; i < n; i++) a.putFloat(ao + 4 * i, a.getFloat(ao + 4 * i) * w0 + b.getFloat(bo + 4 * i) * w1);
    }
  }
}
