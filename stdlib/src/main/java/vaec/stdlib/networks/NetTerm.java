package vaec.stdlib.networks;

import java.util.List;

/**
 * A piece of a network declaration as a {@link NetworkFamily} reads it: the arguments of
 * {@code MLP(784 -> 400 -> 40, activation = relu)} or {@code Conv(image(1, 28, 28) -> conv(32,
 * kernel = 4, stride = 2) -> 40)}. Each piece carries {@code where}, an opaque source position
 * that the compiler hands in and turns back into file:line:col when a family reports a
 * {@link NetworkError} at it.
 */
public sealed interface NetTerm {
  Object where();

  /** A number as written: 784, 0.5. */
  record Num(double value, Object where) implements NetTerm {}

  /** A bare name: relu, flatten. */
  record Name(String name, Object where) implements NetTerm {}

  /** name(args): conv(32, kernel = 4), image(1, 28, 28). */
  record Call(String name, List<Arg> args, Object where, Object nameWhere) implements NetTerm {}

  /** a -> b -> c. */
  record Chain(List<NetTerm> items, Object where) implements NetTerm {}

  /** Anything else (arithmetic, a string, a slice), kept as its text for messages. */
  record Other(String text, Object where) implements NetTerm {}

  /** An argument of a call or of the declaration itself: positional when {@code name} is null. */
  record Arg(String name, NetTerm value, Object where) {}

  /** The items of a chain, or the term alone. */
  static List<NetTerm> items(NetTerm t) {
    return t instanceof Chain c ? c.items() : List.of(t);
  }

  /** A short text of the term for messages. */
  static String text(NetTerm t) {
    if (t instanceof Num n) return n.value() == Math.rint(n.value()) && Math.abs(n.value()) < 1e15 ? String.valueOf((long) n.value()) : String.valueOf(n.value());
    if (t instanceof Name n) return n.name();
    if (t instanceof Call c) return c.name() + "(...)";
    if (t instanceof Other o) return o.text();
    return "a chain";
  }
}
