package vaec.runtime.kernels;

/**
 * A fresh JVM that starts the warm-up thread, waits {@code args[0]} milliseconds and then asks
 * {@link vaec.runtime.model.MemoryEstimate#available} (which touches JavaCPP's Pointer), as
 * {@code vaec run} does before its first step; prints "ok" and exits. Run by {@link
 * WarmupStartRaceTest}: with the warm-up thread and this one initializing JavaCPP's classes at the
 * same time, each waited for the other's class initialization and the JVM hung.
 */
public final class WarmupStartRace {
  private WarmupStartRace() {}

  public static void main(String[] args) throws InterruptedException {
    Warmup.begin();
    Thread.sleep(Long.parseLong(args[0]));
    vaec.runtime.model.MemoryEstimate.available();
    System.out.println("ok");
    System.exit(0);
  }
}
