package vaec.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training run stopped by SIGTERM (or Ctrl-C) saves its checkpoint, says so and exits promptly
 * (status 143, the signal's). It used to save and then hang for a minute: the shutdown hook waited for the
 * main thread, which waited in System.exit for the hook.
 */
class CliTerminateTest {
  @Test
  void sigtermSavesAndExits(@TempDir Path dir) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    cmd.add("vaec.cli.Main");
    cmd.addAll(List.of("run", "../examples/vae.vae", "--epochs", "50", "--out", dir.toString()));
    Path log = dir.resolve("log.txt");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      // Wait until training has taken steps (the progress line shows examples done).
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (System.nanoTime() < deadline && p.isAlive() && !Files.readString(log).contains(" ex/s")) Thread.sleep(200);
      assertTrue(p.isAlive(), "the run ended before it could be stopped:\n" + Files.readString(log));
      p.destroy();   // SIGTERM on Unix
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the run did not exit within 30 s of SIGTERM:\n" + Files.readString(log));
      // 143 = 128 + SIGTERM: the JVM reports the signal whatever status the run returned.
      assertTrue(p.exitValue() == 143 || p.exitValue() == 130, "status " + p.exitValue() + "\n" + Files.readString(log));
      assertTrue(Files.readString(log).contains("interrupted: saved"), Files.readString(log));
      assertTrue(Files.exists(dir.resolve("checkpoint.vaeckpt")));
    } finally {
      p.destroyForcibly();
    }
  }
}
