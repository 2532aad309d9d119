package vaec.runtime.kernels;

/**
 * Whether the JDK's Vector API (the incubator module jdk.incubator.vector) is there for the
 * kernels that use it ({@link VectorKernels}): Adam's in-place update, the fused Bernoulli
 * kernel, the enumerated blocks' gradient sum and the halves' gradient fold. HotSpot's C2 in JDK
 * 17 does not vectorize loops over native memory, so without the module those kernels run over
 * heap copies (the same floats). The vaec launcher (on Java 16-18), the tests and bench/jmh.sh
 * start the JVM with {@code --add-modules jdk.incubator.vector}. VAEC_VECTOR=0 turns it off (the
 * launcher then leaves the module out, and the JVM prints no incubator warning).
 */
public final class VectorApi {
  private VectorApi() {}

  /** The kernels, or null: no module in the boot layer, VAEC_VECTOR=0, or a build without them (Java 19+). */
  public static final VectorKernels KERNELS = load();

  /** Whether {@link #KERNELS} is there. */
  public static final boolean ON = KERNELS != null;

  private static VectorKernels load() {
    if (!ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() || "0".equals(System.getenv("VAEC_VECTOR"))) return null;
    try {
      return (VectorKernels) Class.forName("vaec.runtime.kernels.VectorKernelsJdk17").getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      return null;   // built without them (Java 19 and later), or a Vector API this code does not fit
    }
  }

  /**
   * Checks a VAEC_VECTOR setting: unset, blank, 0 (off) or 1 (on where the Java runtime allows);
   * anything else is a user error naming the value (the trainer checks it before it trains).
   */
  public static void checkSetting(String setting) {
    // " 0 " is refused: the launcher, like the loader here, turns the module off for exactly "0" only.
    if (setting == null || setting.isBlank() || setting.equals("0") || setting.trim().equals("1")) return;
    throw new vaec.runtime.UserError("VAEC_VECTOR is '" + setting + "': expected 0 (the kernels without the JDK's Vector API), "
        + "1 or unset (with it, on Java 16-18)");
  }

  /** On Java 16-18 with the module: the tests' check that they run the path users run. */
  public static boolean expected() {
    return Runtime.version().feature() <= 18 && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
        && !"0".equals(System.getenv("VAEC_VECTOR"));
  }
}
