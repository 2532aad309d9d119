package vaec.runtime.ops;

/** The check shared by the relaxed ops, whose temperature is a setting of the op, not an input. */
final class Temperature {
  private Temperature() {}

  static double requirePositive(String op, double temperature) {
    if (!(temperature > 0) || !Double.isFinite(temperature)) {
      throw new IllegalArgumentException(op + ": temperature must be a positive finite number, got " + temperature);
    }
    return temperature;
  }
}
