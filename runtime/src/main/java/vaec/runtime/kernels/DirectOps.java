package vaec.runtime.kernels;

import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.nd4j.nativeblas.OpaqueContext;
import org.nd4j.nativeblas.OpaqueDataBuffer;

/**
 * ND4J's native element-wise kernels, called the way its CPU executioner calls them but without
 * its Java bookkeeping: {@code NativeOpExecutioner.exec} makes a new JavaCPP pointer for every
 * buffer address and shape on every call, checks workspaces through fresh lists, and returns a
 * fresh array of outputs, a few hundred bytes to kilobytes of heap per op; a step runs hundreds
 * of ops. Here the addresses come from {@link Handles} (made once per array and thread) and the
 * native entry points are called directly: the same libnd4j kernel with the same arguments, so
 * the results are the same bits (DirectOpsTest compares them), and no Java object is made.
 *
 * <p>Only on the CPU backend with the direct kernels on ({@link KernelPath#direct()}), for
 * non-empty arrays of one data type; {@link #applies} says so, and callers use ND4J's own exec
 * otherwise (every other backend). Nothing here names nd4j-native's classes, so the module still
 * compiles against nd4j-cuda (-Pcuda).
 */
final class DirectOps {
  private DirectOps() {}

  private static final NativeOps OPS = KernelPath.CPU_BACKEND ? NativeOpsHolder.getInstance().getDeviceNativeOps() : null;

  /** Whether x and z (same type, same length, non-empty, on the CPU backend) can go straight to libnd4j. */
  static boolean applies(INDArray x, INDArray z) {
    return KernelPath.direct() && x.dataType() == z.dataType() && !x.isEmpty() && x.length() == z.length();
  }

  /** The native buffer under the array (made once per array and thread; see Handles.opaque). */
  private static OpaqueDataBuffer buffer(INDArray a) { return Handles.opaque(a); }

  /** z = op(x) for a transform op without extra arguments (as NativeOpExecutioner runs it). */
  static void transform(Op.Type type, int opNum, INDArray x, INDArray z) {
    OpaqueDataBuffer xb = buffer(x), zb = buffer(z);
    switch (type) {
      case TRANSFORM_STRICT -> OPS.execTransformStrict(null, opNum, xb, Handles.shape(x), null, zb, Handles.shape(z), null, null);
      case TRANSFORM_FLOAT -> OPS.execTransformFloat(null, opNum, xb, Handles.shape(x), null, zb, Handles.shape(z), null, null);
      case TRANSFORM_SAME -> OPS.execTransformSame(null, opNum, xb, Handles.shape(x), null, zb, Handles.shape(z), null, null);
      case TRANSFORM_ANY -> OPS.execTransformAny(null, opNum, xb, Handles.shape(x), null, zb, Handles.shape(z), null, null);
      default -> throw new IllegalArgumentException("not a transform op type: " + type);
    }
    check();
  }

  /** z = op(x, s) for a scalar op; s is a one-element array of x's type; extra arguments' address or null. */
  static void scalar(int opNum, INDArray x, INDArray z, INDArray s, Pointer extraArgs) {
    OPS.execScalar(null, opNum, buffer(x), Handles.shape(x), null, buffer(z), Handles.shape(z), null,
        buffer(s), Handles.shape(s), null, extraArgs);
    check();
  }

  /**
   * A custom op on two inputs and one output in {@code context}, a context of this thread's that
   * nothing else uses: the arrays are set on the native context only (CpuOpContext's setters
   * would also make a pointer per address and keep the arrays in Java maps).
   */
  static void custom(CustomOp op, long opHash, OpContext context, INDArray a, INDArray b, INDArray z) {
    OpaqueContext c = (OpaqueContext) context.contextPointer();
    OPS.setGraphContextInputBuffer(c, 0, buffer(a), Handles.shape(a), null);
    OPS.setGraphContextInputBuffer(c, 1, buffer(b), Handles.shape(b), null);
    OPS.setGraphContextOutputBuffer(c, 0, buffer(z), Handles.shape(z), null);
    int status = OPS.execCustomOp2(null, opHash, (Pointer) c);
    if (status != 0) throw new IllegalStateException("op " + op.opName() + " failed: " + OPS.lastErrorMessage());
    check();
  }

  /**
   * How a random op of one kind fills an array, learned once from an op made for that array:
   * libnd4j's number for it, which of its operands are the array itself (the rest are absent),
   * and its extra arguments (a distribution's parameters) in a buffer kept for the purpose.
   * Nothing here refers to the array, so a table entry holding it does not keep the array alive.
   */
  static final class RandomFill {
    final int opNum;
    final boolean xIsZ, yIsZ;
    final org.nd4j.linalg.api.buffer.DataBuffer extra;
    final Pointer extraAddress;

    /** Null when the op has an operand other than its output (ND4J's exec then runs it). */
    static RandomFill of(org.nd4j.linalg.api.ops.random.BaseRandomOp op, INDArray z) {
      INDArray x = op.x(), y = op.y();
      if (op.z() != z || (x != null && x != z) || (y != null && y != z)) return null;
      boolean xz = x != null, yz = y != null;
      if (op.isTripleArgRngOp() && !xz && !yz) xz = yz = true;   // as NativeOpExecutioner does
      org.nd4j.linalg.api.buffer.DataBuffer extra = op.extraArgs() == null ? null : op.extraArgsDataBuff(z.dataType());
      return new RandomFill(op.opNum(), xz, yz, extra);
    }

    private RandomFill(int opNum, boolean xIsZ, boolean yIsZ, org.nd4j.linalg.api.buffer.DataBuffer extra) {
      this.opNum = opNum;
      this.xIsZ = xIsZ;
      this.yIsZ = yIsZ;
      this.extra = extra;
      this.extraAddress = extra == null ? null : extra.addressPointer();
    }

    /** Fills z from the generator's state, as NativeOpExecutioner.exec(RandomOp, Random) calls libnd4j. */
    void run(INDArray z, org.nd4j.linalg.api.rng.Random rng) {
      OpaqueDataBuffer zb = buffer(z);
      org.bytedeco.javacpp.LongPointer zs = Handles.shape(z);
      Pointer state = rng.getStatePointer();
      if (xIsZ && yIsZ) OPS.execRandom3(null, opNum, state, zb, zs, null, zb, zs, null, zb, zs, null, extraAddress);
      else if (xIsZ) OPS.execRandom2(null, opNum, state, zb, zs, null, zb, zs, null, extraAddress);
      else OPS.execRandom(null, opNum, state, zb, zs, null, extraAddress);
      check();
    }
  }

  private static void check() {
    if (OPS.lastErrorCode() != 0) throw new IllegalStateException("native op failed: " + OPS.lastErrorMessage());
  }
}
