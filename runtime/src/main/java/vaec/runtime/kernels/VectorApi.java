package vaec.runtime.kernels;

/**
 * Whether the JDK's Vector API (the incubator module jdk.incubator.vector) is there for the
 * kernels that use it: the optimizer's in-place update ({@code optim.AdamVector}) and the fused
 * Bernoulli kernel's in-place form ({@link FusedBernoulliVector}). HotSpot's C2 in JDK 17 does not
 * vectorize loops over native memory, nor exp or log1p, so without the module those kernels run
 * over heap copies with polynomial arithmetic that C2 does vectorize; both forms are kept and
 * tested against each other. The vaec launcher, the tests and bench/jmh.sh start the JVM with
 * {@code --add-modules jdk.incubator.vector}; a class that uses the module is loaded only when
 * {@link #ON} is true. VAEC_VECTOR=0 turns it off (the launcher then leaves the module out, and
 * the JVM prints no incubator warning).
 */
public final class VectorApi {
  private VectorApi() {}

  /** The module is in the boot layer and VAEC_VECTOR is not 0. */
  public static final boolean ON = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
      && !"0".equals(System.getenv("VAEC_VECTOR"));
}
