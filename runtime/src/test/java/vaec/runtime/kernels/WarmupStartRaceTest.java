package vaec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The warm-up thread and the command's thread do not deadlock in JavaCPP's class initialization
 * (found in session 7: Pointer's static initializer waits for Loader's and Loader's for Pointer's;
 * with the warm-up inside one and the main thread inside the other, {@code vaec run} hung before
 * its first step). A race: before the fix, 3 of 15 such JVMs hung with the memory check 130-150 ms
 * after the warm-up started. Six fresh JVMs over that window, each given a minute; a hang fails.
 */
class WarmupStartRaceTest {
  @Test
  void startingTheWarmUpNeverHangsTheFirstMemoryCheck() throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    for (int delay : new int[] {100, 120, 130, 140, 150, 170}) {
      Process p = new ProcessBuilder(List.of(java, "--add-modules", "jdk.incubator.vector", "-Xmx512m",
          "-cp", System.getProperty("java.class.path"), WarmupStartRace.class.getName(), Integer.toString(delay)))
          .redirectErrorStream(true).start();
      boolean done = p.waitFor(60, TimeUnit.SECONDS);
      if (!done) p.destroyForcibly();
      assertTrue(done, "the JVM hung with the memory check " + delay + " ms after the warm-up started");
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.exitValue(), out);
      assertTrue(out.contains("ok"), out);
    }
  }
}
