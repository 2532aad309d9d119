package vaec.runtime.kernels;

import java.lang.ref.WeakReference;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the direct kernels hand to native code or read through NIO for an array, made once per
 * array and thread instead of on every call: asking ND4J for a buffer's address, its shape
 * information's address or its NIO view makes new Java objects each time (a JavaCPP pointer, a
 * ByteBuffer), which was most of a training step's heap garbage (StepAllocationTest).
 *
 * <p>Each thread has its own table (the training thread and {@link Parallel}'s helper run ops at
 * once, and a pointer's position is state). Arrays are held weakly: an array nobody else holds
 * is dropped from the table and its buffers are freed as before; the handles themselves refer to
 * the memory, never to the array. A lookup of a known array allocates nothing.
 */
final class Handles {
  private Handles() {}

  /** One array's handles, each made on first use. */
  static final class Entry extends WeakReference<INDArray> {
    /** cblas operands by role (A, B, C): a call may pass one array in two roles at two positions. */
    final FloatPointer[] floats = new FloatPointer[3];
    final DoublePointer[] doubles = new DoublePointer[3];
    FloatBuffer nio, host, slice;
    java.nio.ByteBuffer bytes;
    LongPointer shape;
    org.nd4j.nativeblas.OpaqueDataBuffer opaque;
    /** How each kind of random fill runs on this array (Kernels.random). */
    final DirectOps.RandomFill[] random = new DirectOps.RandomFill[4];

    Entry(INDArray a) { super(a); }

    FloatPointer floatPointer(int role) {
      FloatPointer p = floats[role];
      if (p == null) floats[role] = p = new FloatPointer(get().data().addressPointer());
      return p;
    }

    DoublePointer doublePointer(int role) {
      DoublePointer p = doubles[role];
      if (p == null) doubles[role] = p = new DoublePointer(get().data().addressPointer());
      return p;
    }
  }

  /** An open-addressing table by identity; stale (collected) entries are swept when it fills. */
  static final class Table {
    private Entry[] slots = new Entry[1024];
    private int used;

    Entry of(INDArray a) {
      Entry[] s = slots;
      int mask = s.length - 1;
      int i = mix(System.identityHashCode(a)) & mask;
      while (true) {
        Entry e = s[i];
        if (e == null) break;
        if (e.get() == a) return e;
        i = (i + 1) & mask;
      }
      if (2 * (used + 1) > s.length) {
        rebuild();
        return of(a);
      }
      Entry e = new Entry(a);
      s[i] = e;
      used++;
      return e;
    }

    /** Drops collected arrays' entries; doubles the table if it is still more than a quarter full. */
    private void rebuild() {
      Entry[] old = slots;
      int live = 0;
      for (Entry e : old) if (e != null && e.get() != null) live++;
      int size = old.length;
      if (4 * live > size) size *= 2;
      Entry[] s = new Entry[size];
      int mask = size - 1;
      for (Entry e : old) {
        if (e == null) continue;
        INDArray a = e.get();
        if (a == null) continue;
        int i = mix(System.identityHashCode(a)) & mask;
        while (s[i] != null) i = (i + 1) & mask;
        s[i] = e;
      }
      slots = s;
      used = live;
    }

    private static int mix(int h) { return h ^ (h >>> 16); }
  }

  private static final ThreadLocal<Table> TABLES = ThreadLocal.withInitial(Table::new);

  /** This thread's handles for {@code a}. */
  static Entry of(INDArray a) { return TABLES.get().of(a); }

  /** The host memory of a float array through NIO (absolute reads and writes only), as {@code a.data().asNioFloat()}. */
  static FloatBuffer nio(INDArray a) {
    Entry e = of(a);
    FloatBuffer b = e.nio;
    if (b == null) e.nio = b = a.data().asNioFloat();
    return b;
  }

  /**
   * The host memory under the array as a direct byte buffer in native order, from the start of
   * the underlying memory (a view's element 0 at byte {@code 4 * offset()} for float32), as
   * {@code a.data().asNio()}: what the Vector API kernels load from and store to.
   */
  static java.nio.ByteBuffer bytes(INDArray a) {
    Entry e = of(a);
    java.nio.ByteBuffer b = e.bytes;
    if (b == null) e.bytes = b = a.data().asNio().order(java.nio.ByteOrder.nativeOrder());
    return b;
  }

  /**
   * The array's elements from its first, through NIO over its address pointer (a view's address
   * is its first element; see Gemm), {@code span} elements long; the span of an array's shape
   * is the same on every call.
   */
  static FloatBuffer host(INDArray a, long span) {
    Entry e = of(a);
    FloatBuffer b = e.host;
    if (b == null || b.capacity() != span) e.host = b = new FloatPointer(a.data().addressPointer()).capacity(span).asBuffer();
    return b;
  }

  /** The float array's NIO view from its first element, as {@code a.data().asNioFloat().position(a.offset()).slice()}. */
  static FloatBuffer slice(INDArray a) {
    Entry e = of(a);
    FloatBuffer b = e.slice;
    if (b == null) e.slice = b = a.data().asNioFloat().position((int) a.offset()).slice();
    return b;
  }

  /**
   * The native buffer under the array, as the CPU executioner passes it to libnd4j: asked of the
   * backend's buffer class by reflection (once per array), since naming nd4j-native's
   * BaseCpuDataBuffer would keep the module from compiling against nd4j-cuda.
   */
  static org.nd4j.nativeblas.OpaqueDataBuffer opaque(INDArray a) {
    Entry e = of(a);
    org.nd4j.nativeblas.OpaqueDataBuffer o = e.opaque;
    if (o == null) {
      Object data = a.data();
      try {
        e.opaque = o = (org.nd4j.nativeblas.OpaqueDataBuffer) data.getClass().getMethod("getOpaqueDataBuffer").invoke(data);
      } catch (ReflectiveOperationException ex) {
        throw new IllegalStateException("no native buffer under a " + data.getClass().getName(), ex);
      }
    }
    return o;
  }

  /** The address of the array's shape information, as ND4J's executioner passes it to native ops. */
  static LongPointer shape(INDArray a) {
    Entry e = of(a);
    LongPointer p = e.shape;
    if (p == null) e.shape = p = (LongPointer) a.shapeInfoDataBuffer().addressPointer();
    return p;
  }
}
