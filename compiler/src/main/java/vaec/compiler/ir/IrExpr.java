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

  /**
   * {@code noise(m)}: m fresh standard normal values per row, allowed only in a semi-implicit guide
   * block (see {@link SemiImplicitBlock}); each evaluation of the block draws it anew.
   */
  record Noise(int width, Origin origin) implements IrExpr {}

  /** Whether {@code e} reads {@code noise(m)}: its value changes with each evaluation. */
  static boolean readsNoise(IrExpr e) {
    if (e instanceof Noise) return true;
    if (e instanceof Fn f) return readsNoise(f.arg());
    if (e instanceof Arith a) return readsNoise(a.left()) || readsNoise(a.right());
    if (e instanceof NetCall n) return readsNoise(n.input());
    if (e instanceof Slice sl) return readsNoise(sl.target());
    if (e instanceof Concat c) return c.parts().stream().anyMatch(IrExpr::readsNoise);
    return false;
  }

  record Concat(List<IrExpr> parts, Origin origin) implements IrExpr {
    public int width() { return parts.stream().mapToInt(IrExpr::width).sum(); }
  }
}
