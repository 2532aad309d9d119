package vaec.runtime.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs the hot kernels' own entry points on small scratch arrays on a background thread while
 * the command compiles the model and loads the data, so that HotSpot has compiled them with C2
 * before the first training step instead of during the first epochs.
 *
 * <p>Why: a training step calls each kernel a few times, so a kernel reaches C2's thresholds only
 * after many steps, and meanwhile runs interpreted or in C1's code. For the kernels written with
 * the JDK's Vector API that is far worse than slow: outside C2 every vector operation is an
 * object (Adam's in-place update took 5.1 ms a step over the first 94 steps of the reference VAE,
 * 0.3-0.6 ms afterwards). So the warm-up calls those (the Bernoulli likelihood's fused kernels,
 * a ReLU or tanh layer's fused passes, the halves' gradient fold, Adam's update) on shapes that take their branches (whole vectors and
 * scalar tails, one core and two). The other kernels (gemm, ND4J's element-wise ops) are not
 * warmed: calling them here as often as C2 needs took seconds, longer than the loading it hides in.
 * They are only called a few hundred times on arrays made anew ({@link Fresh}), so that C1's
 * profile, which C2 compiles from, has seen the branches of an array's first use; otherwise the
 * evaluation after the first epoch, with arrays of its own, deoptimized the step's compiled code.
 *
 * <p>What it does not touch: the model, its parameters, its optimizer or any random stream (the
 * numbers are made from a fixed arithmetic sequence), so a run gives the same floats with or
 * without it. It runs no training step, and the trainer stops it ({@link #stop}) before its first
 * step: it only fills time the command spends compiling the model and loading the data, on the
 * core that loading leaves idle, and never runs inside a timed epoch. Only on ND4J's CPU backend
 * with the direct kernels ({@link KernelPath#direct()}); VAEC_WARMUP=0 turns it off.
 */
public final class Warmup {
  private Warmup() {}

  private static Thread thread;

  /**
   * Whether VAEC_WARMUP allows it: on unless it is 0. Measured on the 2-core machine (bench/PERFORMANCE_LOG.md,
   * "Warming the kernels up"): at load 1.4-2.8 it shortened the first epoch by 0.25-0.81 s, the
   * whole command about the same; at load 4-5 by 0.5-2.8 s, the command shorter in 4 runs of 5; at
   * load 8-10, with no idle core, the first epoch still shorter but the command 1-10 s longer.
   */
  public static boolean enabled() {
    String s = System.getenv("VAEC_WARMUP");
    return s == null || !s.trim().equals("0");
  }

  /** Checks a VAEC_WARMUP setting: unset, blank, 0 or 1; anything else is a user error naming the value. */
  public static void checkSetting(String setting) {
    if (setting == null || setting.isBlank() || setting.trim().equals("0") || setting.trim().equals("1")) return;
    throw new vaec.runtime.UserError("VAEC_WARMUP is '" + setting + "': expected 0 (no warm-up of the Vector API kernels), 1 or unset (warm them up while the data loads)");
  }

  /** Starts the warm-up thread unless VAEC_WARMUP=0, once per JVM (later calls do nothing); returns at once. */
  public static void start() {
    if (enabled()) begin();
  }

  /** Starts the warm-up thread whatever VAEC_WARMUP says, once per JVM (tests); returns at once. */
  public static synchronized void begin() {
    if (thread != null) return;
    loadLateClasses();
    initializeJavaCppHere();
    thread = new Thread(Warmup::runQuietly, "vaec-warmup");
    thread.setDaemon(true);
    thread.start();
  }

  private static volatile boolean stop;

  /**
   * Loads the JDK classes that a run otherwise loads only after its first epoch, when it writes its
   * first checkpoint: a heap byte buffer's big-endian views as floats, doubles, ints and longs (the
   * checkpoint's arrays) and {@link java.util.concurrent.ThreadLocalRandom} (its temporary file's name). Each is a
   * second concrete subclass of a class that the training step's compiled code knew only one of
   * ({@code FloatBuffer}: the kernels' views of ND4J's buffers; {@code Random}: the epoch's
   * shuffle), and HotSpot's C2 compiles calls through such a class on the assumption that it has
   * no other. The class loaded later broke that assumption, and HotSpot threw away every compiled
   * method that made it (the tanh, Bernoulli and halves kernels, the step's loop) at the first
   * checkpoint, and compiled them again during the second epoch (-XX:+LogCompilation: a
   * dependency_failed on FloatBuffer with ByteBufferAsFloatBufferB as the witness, then
   * make_not_entrant for each). Loaded before any kernel is compiled, the classes are there when C2
   * decides, and it guards those calls with a class check instead. Once per JVM; costs microseconds.
   */
  public static void loadLateClasses() {
    if (lateClassesLoaded) return;
    lateClassesLoaded = true;
    for (java.nio.ByteOrder order : new java.nio.ByteOrder[] {java.nio.ByteOrder.BIG_ENDIAN, java.nio.ByteOrder.LITTLE_ENDIAN}) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16).order(order);
      b.asFloatBuffer();
      b.asDoubleBuffer();
      b.asIntBuffer();
      b.asLongBuffer();
    }
    java.nio.FloatBuffer.allocate(1);
    java.nio.DoubleBuffer.allocate(1);
    java.util.concurrent.ThreadLocalRandom.current();
  }

  private static volatile boolean lateClassesLoaded;

  /**
   * Initializes JavaCPP's Pointer (and with it Loader) on the calling thread, before the warm-up
   * thread exists. The two classes' static initializers need each other (Loader's loads the native
   * library, whose JNI_OnLoad needs Pointer; Pointer's needs Loader): begun on two threads at once,
   * each thread waits for the other's class initialization, forever. Seen twice in one hour on the
   * cli tests (CliEndToEndTest hung, jstack): the warm-up thread in Loader's (ND4J's backend
   * loading its native library), vaec run's main thread in Pointer's (MemoryEstimate.available,
   * from ModelState.fresh). Done here, the warm-up thread finds both initialized.
   */
  private static void initializeJavaCppHere() {
    try {
      Class.forName("org.bytedeco.javacpp.Pointer", true, Warmup.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("JavaCPP is not on the class path", e);
    }
  }

  /**
   * Stops the warm-up started by {@link #start}, if any, after the kernel call it is in, and waits
   * for that; returns at once otherwise. The trainer calls it before its first step: the warm-up
   * only uses the time the command spends compiling the model and loading the data, so it never
   * delays the training nor runs beside a timed epoch.
   */
  public static void stop() {
    Thread t;
    synchronized (Warmup.class) { t = thread; }
    if (t == null) return;
    stop = true;
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Makes the warm-up's kernel calls on the calling thread and returns when they are done, leaving
   * {@link #start}'s thread and its figures alone (a test that needs the kernels compiled before it
   * measures).
   */
  public static void callKernelsHere() {
    if (KernelPath.direct()) run(() -> false);
  }

  /** Waits for the warm-up started by {@link #start} to make all its calls (tests). */
  public static void await() throws InterruptedException {
    Thread t;
    synchronized (Warmup.class) { t = thread; }
    if (t != null) t.join();
  }

  private static volatile long nanos = -1, cpuNanos = -1;

  private static volatile boolean completed;

  private static volatile int rounds, freshRounds;

  /** How many rounds of {@link Fresh} ran (of {@link #FRESH_CALLS}). */
  public static int freshRounds() { return freshRounds; }

  /** How many rounds of the warm-up's loop ran (of {@link #CALLS}). */
  public static int rounds() { return rounds; }

  /** Whether the warm-up made all its calls before it was stopped. */
  public static boolean completed() { return completed; }

  /** How long the warm-up ran (wall nanoseconds), or -1 before it has finished (or when it did not run). */
  public static long nanos() { return nanos; }

  /** The warm-up thread's CPU time (nanoseconds), or -1 before it has finished or where the JVM cannot tell. */
  public static long cpuNanos() { return cpuNanos; }

  private static void runQuietly() {
    long t0 = System.nanoTime();
    try {
      if (KernelPath.direct()) run();
      completed = !stop;
    } catch (RuntimeException | LinkageError e) {
      // A warm-up is only an optimization: a kernel that cannot run here will say so in training.
    }
    var threads = java.lang.management.ManagementFactory.getThreadMXBean();
    cpuNanos = threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : -1;
    nanos = System.nanoTime() - t0;
  }

  /**
   * Calls per kernel: C2 compiles a method with a loop after about 600 calls whose loops have
   * run 15,000 iterations in all (HotSpot's Tier4MinInvocationThreshold and Tier4CompileThreshold),
   * and the loop itself (on-stack replacement) after 40,000 iterations.
   */
  public static final int CALLS = 1_000;

  /**
   * The kernels written with the JDK's Vector API (with the module; their heap-copy forms
   * otherwise): the Bernoulli likelihood's forward and backward, the halves' gradient fold and
   * Adam's update. Lengths that are not whole vectors, so that the scalar tails run too.
   */
  static void run() {
    run(() -> stop);
  }

  /**
   * The calls, until {@code stopped} says to stop: first {@value #FRESH_CALLS} rounds on arrays
   * made anew (what keeps the first evaluation from deoptimizing the step; about 1.5 s of the
   * warm-up thread on this machine), then one loop in which every Vector API kernel takes its turn,
   * so that wherever the trainer stops it (a small model's data load in a second or two, less than
   * the whole warm-up takes) each kernel has had the same share. Interpreted, a Vector API kernel
   * call on these shapes takes tens of milliseconds, so a fast start-up gets through few of those
   * rounds (5-69 measured; VAEC_PROFILE prints how far it got). Before, 1,500 rounds on new arrays
   * came first and the kernels one after another; the reference VAE's first epoch is about 0.5 s
   * shorter now (2.83-3.26 against 3.30-3.84 s, three rounds alternating, load 3-5), its later
   * epochs the same.
   */
  private static void run(java.util.function.BooleanSupplier stopped) {
    // Two shapes each, taken in turn, so that C2 compiles the branches either takes (a row of whole
    // vectors, as 784 pixels are; a row with a scalar tail) rather than a trap for the other.
    Bernoulli[] shapes = {new Bernoulli(4, 784, 1), new Bernoulli(8, 201, 2)};
    boolean bernoulli = shapes[0].applies() && shapes[1].applies();
    Relu[] layers = {new Relu(4, 400, 7), new Relu(4, 403, 8)};
    boolean relu = layers[0].applies() && layers[1].applies();
    Tanh[] tanhs = {new Tanh(4, 200, 11), new Tanh(4, 203, 12)};
    boolean tanh = tanhs[0].applies() && tanhs[1].applies();
    INDArray g = filled(1, 4_099, 3).reshape(4_099), g2 = filled(1, 4_099, 4).reshape(4_099);
    INDArray p = filled(1, 4_099, 5).reshape(4_099), gr = filled(1, 4_099, 6).reshape(4_099);
    vaec.runtime.optim.Adam adam = new vaec.runtime.optim.Adam(4_099, DataType.FLOAT, 1e-3, 0.9, 0.999, 1e-8);
    Fresh fresh = new Fresh();
    for (int i = 0; i < FRESH_CALLS; i++) {
      if (stopped.getAsBoolean()) return;
      freshRounds = i + 1;
      fresh.round(i);
    }
    for (int i = 0; i < CALLS; i++) {
      if (stopped.getAsBoolean()) return;
      rounds = i + 1;
      if (bernoulli) shapes[i & 1].run();
      if (relu) layers[i & 1].run();
      if (tanh) tanhs[i & 1].run();
      Fold.fold(g, 0.5f, g2, 0.5f);
      Fold.fold(g, 0.25f, g2, 0.75f);
      adam.step(p, gr);
    }
    adam(70_001, 50, stopped);   // two halves on the two cores, as for models of 65,536 parameters or more
  }

  /** The Bernoulli likelihood's fused forward and backward kernels on one shape of scratch arrays. */
  private static final class Bernoulli {
    final INDArray x, l, d, out, scaled;

    Bernoulli(int rows, int w, int seed) {
      x = filled(rows, w, seed);
      l = filled(rows, w, seed + 10);
      d = Nd4j.create(DataType.FLOAT, rows, w);
      out = Nd4j.create(DataType.FLOAT, rows, 1);
      scaled = Nd4j.create(DataType.FLOAT, rows, w);
    }

    boolean applies() { return FusedBernoulli.applies(x, l, out, d); }

    void run() {
      FusedBernoulli.forward(x, l, out, d);
      FusedBernoulli.scaleRows(d, out, scaled);
    }
  }

  /** A ReLU layer's fused bias-and-activation pass and its gradient ({@link FusedDense}) on one shape of scratch arrays. */
  private static final class Relu {
    final INDArray x, b, y, g, d;

    Relu(int rows, int w, int seed) {
      x = filled(rows, w, seed).subi(0.5);   // half of the values below 0, so both sides of the ReLU run
      b = filled(1, w, seed + 10).reshape(w).subi(0.5);
      y = Nd4j.create(DataType.FLOAT, rows, w);
      g = filled(rows, w, seed + 20);
      d = Nd4j.create(DataType.FLOAT, rows, w);
    }

    boolean applies() { return FusedDense.appliesForward(b, x, y) && FusedDense.appliesBackward(y, g, d); }

    void run() {
      FusedDense.biasRelu(x, b, y);
      FusedDense.reluGradient(y, g, d);
    }
  }

  /** A tanh layer's fused bias-and-activation pass and its gradient ({@link FusedTanh}) on one shape of scratch arrays. */
  private static final class Tanh {
    final INDArray x, b, y, g, d;

    Tanh(int rows, int w, int seed) {
      x = filled(rows, w, seed).subi(0.5);
      b = filled(1, w, seed + 10).reshape(w).subi(0.5);
      y = Nd4j.create(DataType.FLOAT, rows, w);
      g = filled(rows, w, seed + 20);
      d = Nd4j.create(DataType.FLOAT, rows, w);
    }

    boolean applies() { return FusedTanh.applies(b, x) && FusedTanh.applies(b, y) && FusedTanh.applies(null, y, g, d); }

    void run() {
      FusedTanh.biasTanh(x, b, y);
      FusedTanh.gradient(y, g, d);
    }
  }

  /**
   * Products and element-wise ops on arrays made anew each round, and products tall enough to be
   * split by rows and by columns: the branches a training step takes only in its first steps (an
   * array's first use in {@link Handles}) or never (a row split, which the test evaluation takes),
   * taken while C1 profiles these methods. Without them C2 compiles those branches as traps, and
   * the evaluation after the first epoch deoptimizes the step's compiled kernels, which are then
   * compiled again during the second epoch.
   */
  private static final class Fresh {
    // 192 x 192 x 128 and 64 x 256 x 256: each past Gemm.SPLIT_WORK, split by rows and by columns.
    final INDArray tallA = filled(Gemm.ROW_SPLIT_ROWS, 192, 30), tallB = filled(192, 128, 31), tallC = Nd4j.create(DataType.FLOAT, Gemm.ROW_SPLIT_ROWS, 128);
    final INDArray wideA = filled(64, 256, 32), wideB = filled(256, 256, 33), wideC = Nd4j.create(DataType.FLOAT, 64, 256);

    void round(int i) {
      INDArray a = filled(4, 8, i), b = filled(8, 4, i + 1), c = Nd4j.create(DataType.FLOAT, 4, 4), r = filled(1, 4, i + 2);
      Gemm.gemm(a, false, b, false, c, 1.0, 0.0);
      Kernels.addRow(c, r, c);
      Kernels.relu(c, c);
      INDArray x = filled(2, 20, i + 3), bias = filled(1, 20, i + 4).reshape(20);
      if (FusedDense.appliesForward(bias, x, x)) FusedDense.biasRelu(x, bias, x);   // a Vector API kernel's first use of an array
      INDArray g = filled(2, 20, i + 5);
      if (FusedTanh.applies(bias, x) && FusedTanh.applies(null, x, g, g)) {   // a tanh layer's passes on new arrays (Handles.nio's first use)
        FusedTanh.biasTanh(x, bias, x);
        FusedTanh.gradient(x, g, g);
      }
      if (i % TALL_EVERY == 0) {
        Gemm.gemm(tallA, false, tallB, false, tallC, 1.0, 0.0);
        Gemm.gemm(wideA, false, wideB, false, wideC, 1.0, 0.0);
        INDArray big = filled(64, 600, i + 5);   // past Parallel.SPLIT_ELEMENTS: an element-wise op's halves of a new array
        Kernels.relu(big, big);
        big.close();
      }
      // Freed now rather than when the collector finds them (thousands of small native buffers).
      a.close();
      b.close();
      c.close();
      r.close();
      x.close();
      bias.close();
      g.close();
    }
  }

  /**
   * Rounds of {@link Fresh}: past C1's profiling thresholds (a method is profiled from its 200th
   * call), with 20 rounds of split products and ops after them.
   */
  public static final int FRESH_CALLS = 600;

  /** Every how many rounds of {@link Fresh} the products split by rows and columns run. */
  static final int TALL_EVERY = 20;

  /** Adam's update on a scratch optimizer of its own over n scratch values. */
  private static void adam(int n, int calls, java.util.function.BooleanSupplier stopped) {
    INDArray p = filled(1, n, 5).reshape(n), gr = filled(1, n, 6).reshape(n);
    vaec.runtime.optim.Adam opt = new vaec.runtime.optim.Adam(n, DataType.FLOAT, 1e-3, 0.9, 0.999, 1e-8);
    for (int i = 0; i < calls && !stopped.getAsBoolean(); i++) opt.step(p, gr);
  }

  /** A rows x cols float matrix of values in [0.05, 0.95) from a fixed sequence (no random stream). */
  private static INDArray filled(int rows, int cols, int seed) {
    float[] v = new float[rows * cols];
    for (int i = 0; i < v.length; i++) v[i] = 0.05f + 0.9f * (((i + 1) * (seed * 2 + 1) * 2654435761L) % 1000) / 1000f;
    return Nd4j.createFromArray(v).reshape(rows, cols);
  }
}
