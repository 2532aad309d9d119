package vaec.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vaec.runtime.checkpoint.Checkpoint;
import vaec.runtime.checkpoint.CheckpointIO;

/**
 * A driver killed mid-run (SIGKILL: no shutdown hook, no final checkpoint) resumes from the last
 * checkpoint it wrote, on Spark or in a single process, and ends where an uninterrupted run ends.
 * Every run is {@code vaec run FILE --spark local[2]} (or without --spark) in a child JVM started
 * with this test's class path, as the launcher starts it.
 *
 * <p>Resumed on Spark the parameters are bit-identical to the uninterrupted Spark run's: the
 * checkpoint holds the float parameters, Adam's moments and step count exactly, the noise is a
 * function of (seed, step, row), the shuffles of (seed, epoch), and two shares' gradient sums are
 * combined in one commutative float addition. Resumed in a single process the remaining epochs
 * sum each batch's gradient in one pass instead of two halves, so they agree with the Spark run
 * only up to float summation order: within 1e-4 absolute, as SparkTrainerTest's comparisons.
 */
class DriverKillTest {
  static final int EPOCHS = 4;
  static final int STEPS_PER_EPOCH = 9;   // 72 training rows, batch 8
  static final double TOL = 1e-4;

  @TempDir Path dir;

  @Test
  void aKilledDriverResumesFromItsLastCheckpointOnSparkAndLocally() throws Exception {
    Path model = tinyModel();
    Path full = dir.resolve("full"), killed = dir.resolve("killed"), local = dir.resolve("local");

    Process p = start(model, full, true, false);
    assertEquals(0, finish(p, full), "the uninterrupted Spark run");
    Checkpoint reference = CheckpointIO.read(full.resolve("checkpoint.vaeckpt"));
    assertEquals(EPOCHS, reference.epoch());
    assertEquals((long) EPOCHS * STEPS_PER_EPOCH, reference.step());

    // Kill the driver with SIGKILL as soon as its first checkpoint (end of epoch 1) is on disk.
    Process k = start(model, killed, true, false);
    Path ckpt = killed.resolve("checkpoint.vaeckpt");
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (!Files.exists(ckpt) && k.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
    assertTrue(Files.exists(ckpt), "no checkpoint appeared; log:\n" + log(killed));
    k.destroyForcibly();   // SIGKILL on Unix
    assertTrue(k.waitFor(60, TimeUnit.SECONDS));
    assertEquals(137, k.exitValue(), "killed by SIGKILL (128 + 9), not finished; log:\n" + log(killed));
    Checkpoint last = CheckpointIO.read(ckpt);
    assertTrue(last.epoch() >= 1 && last.epoch() < EPOCHS, "killed mid-run, at epoch " + last.epoch());
    assertEquals(last.epoch() * STEPS_PER_EPOCH, last.step());
    Files.createDirectories(local);
    Files.copy(ckpt, local.resolve("checkpoint.vaeckpt"));

    // Resume the killed run on Spark, and a copy of its checkpoint in a single process.
    assertEquals(0, finish(start(model, killed, true, true), killed), "the resumed Spark run");
    assertTrue(log(killed).contains("resuming"), log(killed));
    Checkpoint onSpark = CheckpointIO.read(ckpt);
    assertEquals(reference.step(), onSpark.step());
    assertArrayEquals(reference.params(), onSpark.params(), "resumed on Spark: bit-identical parameters");
    assertArrayEquals(reference.optimizerState().get("m"), onSpark.optimizerState().get("m"));

    assertEquals(0, finish(start(model, local, false, true), local), "the resumed single-process run");
    Checkpoint single = CheckpointIO.read(local.resolve("checkpoint.vaeckpt"));
    assertEquals(reference.step(), single.step());
    float d = 0, moved = 0;
    for (int i = 0; i < reference.params().length; i++) {
      d = Math.max(d, Math.abs(reference.params()[i] - single.params()[i]));
      moved = Math.max(moved, Math.abs(last.params()[i] - single.params()[i]));
    }
    System.out.printf(Locale.ROOT, "driver killed at epoch %d of %d; resumed on Spark: identical; resumed locally: max |diff| %.3g "
        + "(the remaining epochs moved the parameters by up to %.3g)%n", last.epoch(), EPOCHS, d, moved);
    assertTrue(d < TOL, "resumed locally: max |parameter difference| " + d);
    assertTrue(moved > 100 * TOL, "the resumed epochs trained: " + moved);
  }

  /** {@code vaec run} in a child JVM with this test JVM's class path and Spark's --add-opens flags; output to DIR/log.txt. */
  private Process start(Path model, Path out, boolean spark, boolean resume) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    cmd.add("-XX:+UseSerialGC");
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("--add-opens") || a.startsWith("-Djdk.reflect")) cmd.add(a);
    }
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    cmd.addAll(List.of("-cp", cp, "vaec.cli.Main", "run", model.toString(), "--out", out.toString(), "--epochs", String.valueOf(EPOCHS),
        "--eval-samples", "2", "--iwae-k", "2"));
    if (spark) cmd.addAll(List.of("--spark", "local[2]", "--spark-partitions", "2"));
    if (resume) cmd.add("--resume");
    Files.createDirectories(out);
    ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(out.resolve("log.txt").toFile()));
    b.environment().put("OMP_NUM_THREADS", "1");
    return b.start();
  }

  private static int finish(Process p, Path out) throws Exception {
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("the run did not end in 5 minutes; log:\n" + log(out));
    }
    if (p.exitValue() != 0) System.err.println(log(out));
    return p.exitValue();
  }

  private static String log(Path out) throws Exception {
    Path f = out.resolve("log.txt");
    return Files.exists(f) ? Files.readString(f) : "(no log)";
  }

  private Path tinyModel() throws Exception { return TinyModelFile.write(dir); }
}
