package vaec.compiler.ir;

import java.util.List;
import vaec.stdlib.networks.NetworkSpec;

/**
 * A deterministic expression of the probabilistic IR, with its width known (0 for a scalar
 * constant, which broadcasts). Local names are gone: a name bound once and used twice is the same
 * object twice, so lowering computes it once.
 */
public sealed interface IrExpr {
  int width();

  Origin origin();

  record Const(double value, Origin origin) implements IrExpr {
    public int width() { return 0; }
  }

  record Data(String name, int width, Origin origin) implements IrExpr {}

  record Latent(String name, int width, Origin origin) implements IrExpr {}

  /** An element-wise function of the catalog, by name (exp, log, softplus, ...). */
  record Fn(String fn, IrExpr arg, Origin origin) implements IrExpr {
    public int width() { return arg.width(); }
  }

  /** a op b with op one of + - * /; a scalar side broadcasts. */
  record Arith(char op, IrExpr left, IrExpr right, Origin origin) implements IrExpr {
    public int width() { return Math.max(left.width(), right.width()); }
  }

  record NetCall(NetworkSpec network, IrExpr input, Origin origin) implements IrExpr {
    public int width() { return network.outputWidth(); }
  }

  record Slice(IrExpr target, int from, int to, Origin origin) implements IrExpr {
    public int width() { return to - from; }
  }

  record Concat(List<IrExpr> parts, Origin origin) implements IrExpr {
    public int width() { return parts.stream().mapToInt(IrExpr::width).sum(); }
  }
}
