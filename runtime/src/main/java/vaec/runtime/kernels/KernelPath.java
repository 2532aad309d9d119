package vaec.runtime.kernels;

import java.util.concurrent.atomic.AtomicLongArray;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.UserError;

/**
 * Which arithmetic the runtime's kernels use: the direct ones, which reach past ND4J into host
 * memory or OpenBLAS (Gemm's cblas call on the arrays' addresses, Adam's loop over heap copies,
 * Conv2d's im2col on host arrays, the batch gather into the input's NIO view, the helper thread
 * that splits big work in two), or the backend-neutral ones, made of ND4J's own ops only, which
 * any ND4J backend runs (the CUDA one included).
 *
 * <p>Direct on ND4J's CPU backend, neutral on any other. {@code VAEC_KERNELS=neutral} (or the
 * system property {@code vaec.kernels=neutral}) forces the neutral paths on the CPU too, so that
 * the paths a GPU run takes can be tested, and compared with the direct ones, without a GPU.
 * {@code auto} (or unset) is the default. The choice is read when a kernel decides: Adam and
 * Conv2d decide when they are made (when a model is compiled or its optimizer created), Gemm,
 * the gather and the helper thread on every call.
 */
public final class KernelPath {
  /** Whether ND4J's backend is its CPU one (nd4j-native), where the direct kernels can run. */
  public static final boolean CPU_BACKEND = Nd4j.getBackend().getClass().getSimpleName().startsWith("CpuBackend");

  /** The kernels that have a neutral path, for counting which ran. */
  public enum Kernel { GEMM, ADAM, CONV2D, GATHER }

  private static final String SETTING = setting();
  private static volatile boolean forcedNeutral = parse(SETTING);
  private static final AtomicLongArray NEUTRAL_USES = new AtomicLongArray(Kernel.values().length);

  private KernelPath() {}

  private static String setting() {
    String p = System.getProperty("vaec.kernels");
    return p != null ? p : System.getenv("VAEC_KERNELS");
  }

  /** Unknown values are remembered and reported by {@link #direct()} as a user error. */
  private static boolean parse(String s) {
    if (s == null || s.isBlank()) return false;
    String v = s.trim().toLowerCase(java.util.Locale.ROOT);
    return v.equals("neutral");
  }

  /** Fails with a user error naming the value unless it is unset, 'neutral' or 'auto'. */
  public static void checkSetting(String setting) {
    if (setting == null || setting.isBlank()) return;
    String v = setting.trim().toLowerCase(java.util.Locale.ROOT);
    if (!v.equals("neutral") && !v.equals("auto")) {
      throw new UserError("VAEC_KERNELS (or -Dvaec.kernels) is '" + setting + "': expected 'neutral' (ND4J's own ops only, "
          + "as on a GPU) or 'auto' (direct CPU kernels on the CPU backend)");
    }
  }

  /** True when the direct CPU kernels are to be used: the CPU backend, and no neutral setting. */
  public static boolean direct() {
    checkSetting(SETTING);
    return CPU_BACKEND && !forcedNeutral;
  }

  /** Forces (or stops forcing) the neutral paths in this JVM; tests compare the two with it. */
  public static void forceNeutral(boolean on) { forcedNeutral = on; }

  /** Notes one use of a kernel's neutral path (what tests check to know that it ran). */
  public static void noteNeutral(Kernel k) { NEUTRAL_USES.incrementAndGet(k.ordinal()); }

  /** How many times the kernel's neutral path ran in this JVM. */
  public static long neutralUses(Kernel k) { return NEUTRAL_USES.get(k.ordinal()); }

  /** "direct (CPU)" or "neutral (ND4J ops)", and why. */
  public static String describe() {
    if (!CPU_BACKEND) return "neutral (ND4J ops; backend " + Nd4j.getBackend().getClass().getSimpleName() + ")";
    return forcedNeutral ? "neutral (ND4J ops; forced by VAEC_KERNELS=neutral)" : "direct (OpenBLAS and host loops on the CPU backend)";
  }
}
