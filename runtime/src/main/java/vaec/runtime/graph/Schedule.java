package vaec.runtime.graph;

/**
 * A value that changes with the training step. Two shapes:
 * <ul>
 *   <li>{@link Shape#EXPONENTIAL}: max(minimum, initial * exp(-rate * step)), the annealing Jang et
 *       al. use for the Concrete temperature. A rate of 0 is a constant.
 *   <li>{@link Shape#LINEAR} and {@link Shape#SIGMOID}: a warm-up from {@code initial} at step 0 to
 *       {@code end} at step {@code steps}, and {@code end} from then on (KL annealing, Bowman et al.
 *       2016). Linear: initial + (end - initial) min(1, step / steps). Sigmoid: the logistic curve
 *       sigma(10 (step / steps - 1/2)), rescaled so that it is exactly 0 at step 0 and exactly 1 at
 *       {@code steps}: initial + (end - initial) (sigma(10 (t - 1/2)) - sigma(-5)) / (sigma(5) - sigma(-5)),
 *       t = min(1, step / steps).
 * </ul>
 * A warm-up must end: {@code steps} must be positive (else IllegalArgumentException).
 *
 * <p>A warm-up may be given in epochs ({@link Unit#EPOCHS}: {@code steps} then counts epochs); the
 * trainer binds it to optimizer steps once it knows how many steps an epoch has ({@link #inSteps}).
 */
public record Schedule(Shape shape, double initial, double rate, double minimum, double end, long steps, Unit unit) {
  public enum Shape { EXPONENTIAL, LINEAR, SIGMOID }

  /** What {@code steps} counts. */
  public enum Unit { STEPS, EPOCHS }

  /** Steepness of the sigmoid warm-up: the logistic curve runs over [-5, 5] across the warm-up. */
  public static final double SIGMOID_STEEPNESS = 10;

  public Schedule {
    if (shape != Shape.EXPONENTIAL && steps <= 0) {
      throw new IllegalArgumentException("a " + shape.name().toLowerCase() + " warm-up must last a positive number of "
          + unit.name().toLowerCase() + ", got " + steps + " (it would never reach its end value " + end + ")");
    }
  }

  public Schedule(Shape shape, double initial, double rate, double minimum, double end, long steps) {
    this(shape, initial, rate, minimum, end, steps, Unit.STEPS);
  }

  /** The exponential schedule max(minimum, initial exp(-rate step)). */
  public Schedule(double initial, double rate, double minimum) { this(Shape.EXPONENTIAL, initial, rate, minimum, minimum, 0); }

  public static Schedule fixed(double value) { return new Schedule(value, 0, value); }

  /** A warm-up from {@code start} at step 0 to {@code end} at step {@code steps} ({@link Shape#LINEAR} or {@link Shape#SIGMOID}). */
  public static Schedule warmup(Shape shape, double start, double end, long steps) {
    if (shape == Shape.EXPONENTIAL) throw new IllegalArgumentException("a warm-up is linear or sigmoid");
    return new Schedule(shape, start, 0, Math.min(start, end), end, steps);
  }

  /** A warm-up over {@code epochs} epochs, bound to steps by {@link #inSteps} when training starts. */
  public static Schedule warmupEpochs(Shape shape, double start, double end, long epochs) {
    if (shape == Shape.EXPONENTIAL) throw new IllegalArgumentException("a warm-up is linear or sigmoid");
    return new Schedule(shape, start, 0, Math.min(start, end), end, epochs, Unit.EPOCHS);
  }

  /** This schedule in optimizer steps, given the steps of one epoch; a step schedule is returned as it is. */
  public Schedule inSteps(long stepsPerEpoch) {
    if (unit == Unit.STEPS) return this;
    if (stepsPerEpoch <= 0) throw new IllegalArgumentException("an epoch has at least one step, got " + stepsPerEpoch);
    return new Schedule(shape, initial, rate, minimum, end, Math.multiplyExact(steps, stepsPerEpoch), Unit.STEPS);
  }

  public double at(long step) {
    return switch (shape) {
      case EXPONENTIAL -> rate == 0 || step <= 0 ? initial : Math.max(minimum, initial * Math.exp(-rate * step));
      case LINEAR, SIGMOID -> {
        if (step <= 0) yield initial;
        if (unit == Unit.EPOCHS) throw new IllegalStateException("an epoch warm-up is read at a step before inSteps bound it: " + this);
        if (step >= steps) yield end;
        double t = (double) step / steps;
        double f = shape == Shape.LINEAR ? t : (sigmoid(SIGMOID_STEEPNESS * (t - 0.5)) - sigmoid(-SIGMOID_STEEPNESS / 2))
            / (sigmoid(SIGMOID_STEEPNESS / 2) - sigmoid(-SIGMOID_STEEPNESS / 2));
        yield initial + (end - initial) * f;
      }
    };
  }

  /** The value it settles at: the minimum of an exponential decay, the end of a warm-up. */
  public double last() { return shape == Shape.EXPONENTIAL ? (rate == 0 ? initial : minimum) : end; }

  public boolean isFixed() { return shape == Shape.EXPONENTIAL ? rate == 0 : initial == end; }

  private static double sigmoid(double x) { return 1 / (1 + Math.exp(-x)); }

  @Override
  public String toString() {
    return switch (shape) {
      case EXPONENTIAL -> isFixed() ? String.valueOf(initial) : "max(" + minimum + ", " + initial + " exp(-" + rate + " step))";
      case LINEAR -> "linear from " + initial + " to " + end + " over " + steps + " " + unit.name().toLowerCase();
      case SIGMOID -> "sigmoid from " + initial + " to " + end + " over " + steps + " " + unit.name().toLowerCase();
    };
  }
}
