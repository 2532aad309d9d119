package vaec.runtime.ops;

import vaec.runtime.graph.Op;
import vaec.runtime.graph.Schedule;

/**
 * Base of the relaxed ops, whose temperature is a setting of the op rather than an input: fixed,
 * or following a {@link Schedule} of the training step (told by {@link #beginStep}).
 */
abstract class Temperature implements Op {
  private final Schedule schedule;
  private double temperature;

  Temperature(String op, Schedule schedule) {
    this.schedule = schedule;
    this.temperature = requirePositive(op, schedule.initial());
    if (!schedule.isFixed()) requirePositive(op, schedule.minimum());
  }

  public double temperature() { return temperature; }

  @Override
  public void beginStep(long step) {
    if (!schedule.isFixed() && step >= 0) temperature = schedule.at(step);
  }

  static double requirePositive(String op, double temperature) {
    if (!(temperature > 0) || !Double.isFinite(temperature)) {
      throw new IllegalArgumentException(op + ": temperature must be a positive finite number, got " + temperature);
    }
    return temperature;
  }
}
