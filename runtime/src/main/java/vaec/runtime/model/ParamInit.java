package vaec.runtime.model;

/**
 * How one parameter tensor starts: uniform on [-bound, bound] (the default of PyTorch's linear
 * layers, bound = 1/sqrt(fan_in), so that vaec and the reference start alike), or a constant.
 */
public record ParamInit(String name, long[] shape, Kind kind, double value) {
  public enum Kind { UNIFORM, CONSTANT }

  public static ParamInit uniform(String name, double bound, long... shape) {
    return new ParamInit(name, shape, Kind.UNIFORM, bound);
  }

  public static ParamInit constant(String name, double value, long... shape) {
    return new ParamInit(name, shape, Kind.CONSTANT, value);
  }
}
