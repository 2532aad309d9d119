package vaec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's choice of OpenBLAS kernels (vaec-env.sh, sourced by bash with a made-up
 * /proc/cpuinfo): the best the CPU's flags allow when nothing is set, an OPENBLAS_CORETYPE from the
 * environment kept (with a note when it is older than the CPU allows), VAEC_OPENBLAS_CORETYPE first.
 */
class LauncherEnvTest {
  static final String AVX512 = "fpu sse sse2 avx avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl";
  static final String AVX2 = "fpu sse sse2 avx avx2 fma";

  @TempDir Path dir;

  /** OPENBLAS_CORETYPE and VAEC_KERNEL_NOTE after sourcing vaec-env.sh with these flags and variables. */
  String[] source(String flags, Map<String, String> env) throws IOException, InterruptedException {
    Path cpuinfo = dir.resolve("cpuinfo");
    Files.writeString(cpuinfo, "processor\t: 0\nflags\t\t: " + flags + "\n");
    Path script = Path.of("..", "vaec-env.sh").toAbsolutePath().normalize();
    assertTrue(Files.isRegularFile(script), script + " not found");
    ProcessBuilder pb = new ProcessBuilder("bash", "-c",
        ". \"$1\"; printf '%s\\n%s\\n' \"${OPENBLAS_CORETYPE:-}\" \"$VAEC_KERNEL_NOTE\"", "test", script.toString());
    pb.environment().remove("OPENBLAS_CORETYPE");
    pb.environment().remove("VAEC_OPENBLAS_CORETYPE");
    pb.environment().put("VAEC_CPUINFO", cpuinfo.toString());
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    String[] lines = out.split("\n", -1);
    return new String[] {lines[0], lines.length > 1 ? lines[1] : ""};
  }

  @Test
  void picksTheNewestKernelsTheFlagsAllowWhenNothingIsSet() throws Exception {
    assertEquals("SkylakeX", source(AVX512, Map.of())[0]);
    assertEquals("Haswell", source(AVX2, Map.of())[0]);
    assertEquals("", source("fpu sse sse2", Map.of())[0]);
    assertEquals("", source(AVX512, Map.of())[1]);
  }

  @Test
  void keepsTheEnvironmentsSettingAndSaysWhenItIsOlder() throws Exception {
    String[] r = source(AVX512, Map.of("OPENBLAS_CORETYPE", "Haswell"));
    assertEquals("Haswell", r[0]);
    assertTrue(r[1].contains("OPENBLAS_CORETYPE=Haswell") && r[1].contains("VAEC_OPENBLAS_CORETYPE=SkylakeX")
        && r[1].contains("1.5x"), r[1]);
    r = source(AVX2, Map.of("OPENBLAS_CORETYPE", "Prescott"));
    assertEquals("Prescott", r[0]);
    assertTrue(r[1].contains("VAEC_OPENBLAS_CORETYPE=Haswell") && !r[1].contains("1.5x"), r[1]);
    // as new as the flags allow, in any case: no note
    assertEquals("", source(AVX512, Map.of("OPENBLAS_CORETYPE", "skylakex"))[1]);
    assertEquals("", source(AVX2, Map.of("OPENBLAS_CORETYPE", "Zen"))[1]);
  }

  @Test
  void vaecsOwnSettingWinsWithoutANote() throws Exception {
    String[] r = source(AVX512, Map.of("OPENBLAS_CORETYPE", "Haswell", "VAEC_OPENBLAS_CORETYPE", "SkylakeX"));
    assertEquals("SkylakeX", r[0]);
    assertEquals("", r[1]);
    r = source(AVX512, Map.of("OPENBLAS_CORETYPE", "Haswell", "VAEC_OPENBLAS_CORETYPE", "Haswell"));
    assertEquals("Haswell", r[0]);
    assertEquals("", r[1]);
  }
}
