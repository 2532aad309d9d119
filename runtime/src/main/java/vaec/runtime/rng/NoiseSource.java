package vaec.runtime.rng;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.GaussianDistribution;
import org.nd4j.linalg.api.ops.random.impl.UniformDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.graph.NoiseKind;
import vaec.runtime.kernels.Kernels;

/**
 * The run's one source of randomness, counter-based: the noise of (step, stream) comes from a
 * generator seeded by a hash of (seed, step, stream). The same seed therefore gives the same run,
 * and the generator's whole state is the seed and the step count, which is what a checkpoint
 * stores to resume exactly.
 */
public final class NoiseSource {
  private final long seed;
  private final Random random;

  public NoiseSource(long seed) {
    this.seed = seed;
    this.random = Nd4j.getRandomFactory().getNewRandomInstance(seed);
  }

  public long seed() { return seed; }

  /** Fills {@code target} with fresh noise of {@code kind} for the given step and stream. */
  public void fill(INDArray target, NoiseKind kind, long step, long stream) {
    random.setSeed(mix(seed, step, stream));
    switch (kind) {
      // Through Kernels.random: the op is built once per buffer there (a new op per call was heap garbage every step).
      case STANDARD_NORMAL -> Kernels.random(target, 0, NoiseSource::gaussian, random);
      case UNIFORM -> Kernels.random(target, 1, NoiseSource::uniform, random);
    }
  }

  private static org.nd4j.linalg.api.ops.random.BaseRandomOp gaussian(INDArray z) { return new GaussianDistribution(z, 0.0, 1.0); }

  private static org.nd4j.linalg.api.ops.random.BaseRandomOp uniform(INDArray z) { return new UniformDistribution(z, 0.0, 1.0); }

  /** A seed for host-side generators (data shuffling, initialization) derived the same way. */
  public long derive(long a, long b) { return mix(seed, a, b); }

  /** SplitMix64 finalizer over the three words: well spread seeds from nearby counters. */
  public static long mix(long seed, long a, long b) {
    long z = seed * 0x9E3779B97F4A7C15L + a * 0xBF58476D1CE4E5B9L + b * 0x94D049BB133111EBL + 0x632BE59BD9B4E019L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
