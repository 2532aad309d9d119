package vaec.runtime.kernels;

import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An ND4J array's native memory as a direct byte buffer in native order, for the Vector API
 * kernels. The buffer starts where the array's underlying memory starts (a view's element 0 is
 * at byte {@code 4 * offset()}), as ND4J's {@code asNio()} gives it. Making one allocates, so the
 * last few are kept per thread, keyed weakly by the data buffer's identity: an executor hands a
 * kernel the same buffers every step, and a kept entry must not keep ND4J's memory alive.
 */
final class NativeBytes {
  private NativeBytes() {}

  private static final int SLOTS = 16;

  private static final class Slots {
    @SuppressWarnings("unchecked")
    final WeakReference<DataBuffer>[] keys = new WeakReference[SLOTS];
    final ByteBuffer[] values = new ByteBuffer[SLOTS];
    int next;
  }

  private static final ThreadLocal<Slots> SLOTS_OF_THREAD = ThreadLocal.withInitial(Slots::new);

  static ByteBuffer of(INDArray a) {
    DataBuffer data = a.data();
    Slots s = SLOTS_OF_THREAD.get();
    for (int i = 0; i < SLOTS; i++) {
      WeakReference<DataBuffer> k = s.keys[i];
      if (k != null && k.get() == data) return s.values[i];
    }
    ByteBuffer b = data.asNio().order(ByteOrder.nativeOrder());
    int i = s.next;
    s.keys[i] = new WeakReference<>(data);
    s.values[i] = b;
    s.next = (i + 1) % SLOTS;
    return b;
  }
}
