package vaec.spark;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;

/**
 * A test hook: with the system property {@code vaec.spark.test.failTask=STEP:PARTITION}, the task
 * computing that partition's share of that step throws on its first attempt, as a task on a lost
 * executor fails; Spark reschedules it (given a master that allows retries, such as
 * {@code local[2,4]}, or a cluster's default of four attempts). Unset, it does nothing. Only the
 * tests set it; it is read where the task runs (in local mode, the driver's JVM).
 */
final class TaskFaults {
  static final String PROPERTY = "vaec.spark.test.failTask";
  private static final AtomicInteger INJECTED = new AtomicInteger();

  private TaskFaults() {}

  static void maybeFail(long step, int partition) {
    String spec = System.getProperty(PROPERTY);
    if (spec == null || !spec.equals(step + ":" + partition)) return;
    TaskContext tc = TaskContext.get();
    if (tc == null || tc.attemptNumber() != 0) return;
    INJECTED.incrementAndGet();
    throw new IllegalStateException("injected failure of step " + step + ", partition " + partition + " (attempt 0; " + PROPERTY + ")");
  }

  /** How many failures were injected in this JVM. */
  static int injected() { return INJECTED.get(); }
}
