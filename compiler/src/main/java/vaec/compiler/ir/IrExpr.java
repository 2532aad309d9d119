package vaec.compiler.ir;

import java.util.List;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.ops.Unary;
import vaec.stdlib.networks.NetworkSpec;

/**
 * A deterministic expression of the probabilistic IR, with its width known (0 for a scalar
 * constant, which broadcasts). Local names are gone: a name bound once and used twice is the same
 * object twice, so lowering computes it once.
 */
public sealed interface IrExpr {
  int width();

  SourceRef origin();

  record Const(double value, SourceRef origin) implements IrExpr {
    public int width() { return 0; }
  }

  record Data(String name, int width, SourceRef origin) implements IrExpr {}

  record Latent(String name, int width, SourceRef origin) implements IrExpr {}

  record Fn(Unary.Fn fn, IrExpr arg, SourceRef origin) implements IrExpr {
    public int width() { return arg.width(); }
  }

  /** a op b with op one of + - * /; a scalar side broadcasts. */
  record Arith(char op, IrExpr left, IrExpr right, SourceRef origin) implements IrExpr {
    public int width() { return Math.max(left.width(), right.width()); }
  }

  record NetCall(NetworkSpec network, IrExpr input, SourceRef origin) implements IrExpr {
    public int width() { return network.outputWidth(); }
  }

  record Slice(IrExpr target, int from, int to, SourceRef origin) implements IrExpr {
    public int width() { return to - from; }
  }

  record Concat(List<IrExpr> parts, SourceRef origin) implements IrExpr {
    public int width() { return parts.stream().mapToInt(IrExpr::width).sum(); }
  }
}
