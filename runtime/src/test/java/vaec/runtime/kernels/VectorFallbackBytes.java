package vaec.runtime.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Not a test: the heap bytes per call of the fused Bernoulli kernels on 64 x 784 floats (the
 * reference VAE's likelihood at batch 64) once compiled, for telling apart what the JIT's code
 * allocates when C2 leaves a Vector API operation to its Java fallback. Run with
 * {@code -XX:+UnlockDiagnosticVMOptions -XX:DisableIntrinsic=_VectorLoadOp} (or _VectorStoreOp) to
 * see the fallback's figure; without, both are 0. See README, "Training a trainer again".
 */
public final class VectorFallbackBytes {
  private VectorFallbackBytes() {}

  public static void main(String[] args) {
    var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long me = Thread.currentThread().getId();
    INDArray x = Nd4j.rand(DataType.FLOAT, 64, 784), l = Nd4j.rand(DataType.FLOAT, 64, 784), d = Nd4j.create(DataType.FLOAT, 64, 784);
    INDArray out = Nd4j.create(DataType.FLOAT, 64, 1), g = Nd4j.rand(DataType.FLOAT, 64, 1), t = Nd4j.create(DataType.FLOAT, 64, 784);
    for (int round = 0; round < 40; round++) {
      long b0 = threads.getThreadAllocatedBytes(me);
      for (int i = 0; i < 200; i++) FusedBernoulliVector.scaleRows(d, g, t);
      long b1 = threads.getThreadAllocatedBytes(me);
      for (int i = 0; i < 200; i++) FusedBernoulliVector.forward(x, l, out, d);
      long b2 = threads.getThreadAllocatedBytes(me);
      if (round % 10 == 9) System.out.println("round " + (round + 1) + ": scaleRows " + (b1 - b0) / 200 + " bytes a call, forward " + (b2 - b1) / 200);
    }
    System.exit(0);
  }
}
