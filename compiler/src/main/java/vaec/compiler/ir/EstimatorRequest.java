package vaec.compiler.ir;

import java.util.List;
import vaec.compiler.Span;

/**
 * A {@code NAME(key = value, ...)} clause as the planner reads it: a guide site's {@code using}
 * clause, or the train block's {@code objective}. Each argument's value is a Double, a String (a
 * bare name), or null when it was neither.
 */
public record EstimatorRequest(String name, Span nameSpan, Span span, List<Arg> args) {
  /** One setting: {@code name} is null for a positional argument. */
  public record Arg(String name, Object value, Span span, Span valueSpan) {}
}
