package vaec.runtime.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Adam's two passes straight over ND4J's native buffers, with the JDK's Vector API (the
 * incubator module jdk.incubator.vector): the values and gradients are read and the values
 * written in place, with no copies to the heap. HotSpot's C2 does not vectorize a plain loop over
 * native memory (Unsafe or NIO accesses stay scalar in JDK 17), so without this module the
 * update runs over heap copies instead ({@link vaec.runtime.optim.Adam}'s fallback), which streams about twice the
 * bytes.
 *
 * <p>Only {@link vaec.runtime.optim.Adam} calls this, through {@link VectorApi#KERNELS}: a JVM
 * started without {@code --add-modules jdk.incubator.vector} never loads it. The arithmetic is Adam's scalar loop, element by element in the same order of
 * operations and with the same flushes of tiny values ({@link vaec.runtime.optim.Adam}'s G_MIN, M1_MIN and M_MIN),
 * so both paths give the same floats (AdamTest compares them bit for bit); the tail of fewer than
 * one vector's lanes runs as that scalar loop.
 */
final class AdamVector {
  private AdamVector() {}

  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
  private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

  /**
   * A negative number when a gradient in [from, to) is NaN or infinite (its exponent bits are all
   * ones, so adding one unit to the exponent field carries into the sign bit), else 0 or more.
   */
  static int check(ByteBuffer g, int from, int to) {
    int i = from;
    int lanes = I.length();
    IntVector acc = IntVector.zero(I);
    for (; i <= to - lanes; i += lanes) {
      IntVector bits = IntVector.fromByteBuffer(I, g, 4 * i, NATIVE);
      acc = acc.or(bits.and(0x7f800000).add(0x00800000));
    }
    int f = acc.reduceLanes(VectorOperators.OR);
    for (; i < to; i++) f |= (g.getInt(4 * i) & 0x7f800000) + 0x00800000;
    return f;
  }

  /** With g below gMin as 0, m flushed below m1Min and v (with m) below mMin, as Adam says: m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= step m / (sqrt(v) + e), over [from, to). */
  static void update(ByteBuffer p, ByteBuffer g, float[] m, float[] v, int from, int to,
                     float b1, float b2, float step, float e, float gMin, float m1Min, float mMin) {
    float a1 = 1 - b1;
    float a2 = 1 - b2;
    int i = from;
    int lanes = F.length();
    for (; i <= to - lanes; i += lanes) {
      FloatVector gi = FloatVector.fromByteBuffer(F, g, 4 * i, NATIVE);
      gi = gi.blend(0f, gi.abs().lt(gMin));
      FloatVector mi = FloatVector.fromArray(F, m, i).mul(b1).add(gi.mul(a1));
      FloatVector vi = FloatVector.fromArray(F, v, i).mul(b2).add(gi.mul(a2).mul(gi));
      VectorMask<Float> tiny = vi.lt(mMin);
      mi = mi.blend(0f, mi.abs().lt(m1Min).or(tiny));
      vi = vi.blend(0f, tiny);
      mi.intoArray(m, i);
      vi.intoArray(v, i);
      FloatVector pi = FloatVector.fromByteBuffer(F, p, 4 * i, NATIVE);
      pi.sub(mi.mul(step).div(vi.sqrt().add(e))).intoByteBuffer(p, 4 * i, NATIVE);
    }
    for (; i < to; i++) {
      float gi = Math.abs(g.getFloat(4 * i)) < gMin ? 0f : g.getFloat(4 * i);
      float vi = b2 * v[i] + a2 * gi * gi;
      float mi = b1 * m[i] + a1 * gi;
      mi = vi < mMin || Math.abs(mi) < m1Min ? 0f : mi;
      vi = vi < mMin ? 0f : vi;
      m[i] = mi;
      v[i] = vi;
      p.putFloat(4 * i, p.getFloat(4 * i) - step * mi / ((float) Math.sqrt(vi) + e));
    }
  }
}
