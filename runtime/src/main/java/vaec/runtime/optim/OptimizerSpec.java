package vaec.runtime.optim;

import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Which optimizer trains a model and with what settings: Adam (learning rate, beta1, beta2, eps)
 * or SGD (learning rate; the other three are unused and kept at Adam's defaults). The ranges each
 * setting must lie in are checked here, in one place, by {@link #problem}: the compiler reports
 * a violation at the setting's file:line:col and the CLI names the flag.
 */
public record OptimizerSpec(String name, double lr, double beta1, double beta2, double eps) {
  public static final String ADAM = "adam";
  public static final String SGD = "sgd";
  public static final double DEFAULT_LR = 1e-3, DEFAULT_BETA1 = 0.9, DEFAULT_BETA2 = 0.999, DEFAULT_EPS = 1e-8;

  public OptimizerSpec {
    if (!name.equals(ADAM) && !name.equals(SGD)) throw new IllegalArgumentException("unknown optimizer " + name);
    for (String k : new String[] {"lr", "beta1", "beta2", "eps"}) {
      double v = switch (k) { case "lr" -> lr; case "beta1" -> beta1; case "beta2" -> beta2; default -> eps; };
      String p = problem(k, v);
      if (p != null) throw new IllegalArgumentException(p);
    }
  }

  /** Adam with the defaults of Kingma and Ba (2015): lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-8. */
  public static OptimizerSpec adam() { return new OptimizerSpec(ADAM, DEFAULT_LR, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS); }

  public static OptimizerSpec sgd(double lr) { return new OptimizerSpec(SGD, lr, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS); }

  /**
   * Why {@code value} is out of range for setting {@code key} (lr, beta1, beta2, eps), or null
   * when it is fine: lr and eps are finite and positive, and normal float32 numbers
   * ({@link vaec.runtime.Float32}; the optimizer's arithmetic is float32: 1e-320 would be 0 there,
   * 1e39 infinite), each beta lies in [0, 1). The bound is NORMAL, stricter than a model
   * constant's: lr scales every update and eps bounds Adam's denominator, and a subnormal one
   * keeps only a few significant bits (and makes each step's arithmetic subnormal, which is slow).
   */
  public static String problem(String key, double value) {
    return switch (key) {
      case "lr", "eps" -> !(value > 0 && Double.isFinite(value)) ? key + " must be a positive number, got " + text(value)
          : vaec.runtime.Float32.problem(key, value, vaec.runtime.Float32.Bound.NORMAL);
      case "beta1", "beta2" -> value >= 0 && value < 1 ? null : key + " must be at least 0 and below 1, got " + text(value);
      default -> "unknown optimizer setting " + key;
    };
  }

  /** The settings SGD takes; Adam takes all four. */
  public boolean takes(String key) {
    return key.equals("lr") || name.equals(ADAM) && (key.equals("beta1") || key.equals("beta2") || key.equals("eps"));
  }

  public OptimizerSpec with(String key, double value) {
    return switch (key) {
      case "lr" -> new OptimizerSpec(name, value, beta1, beta2, eps);
      case "beta1" -> new OptimizerSpec(name, lr, value, beta2, eps);
      case "beta2" -> new OptimizerSpec(name, lr, beta1, value, eps);
      case "eps" -> new OptimizerSpec(name, lr, beta1, beta2, value);
      default -> throw new IllegalArgumentException("unknown optimizer setting " + key);
    };
  }

  /** The optimizer itself, for a flat parameter vector of {@code size} floats. */
  public Optimizer create(long size) {
    return name.equals(SGD) ? new Sgd(lr) : new Adam(size, DataType.FLOAT, lr, beta1, beta2, eps);
  }

  /** How a user would write it: {@code Adam(lr = 0.001, beta1 = 0.5, beta2 = 0.999, eps = 1e-08)}. */
  @Override
  public String toString() {
    return name.equals(SGD) ? "SGD(lr = " + text(lr) + ")"
        : "Adam(lr = " + text(lr) + ", beta1 = " + text(beta1) + ", beta2 = " + text(beta2) + ", eps = " + text(eps) + ")";
  }

  private static String text(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.format(Locale.ROOT, "%.0f", v) : Double.toString(v);
  }
}
