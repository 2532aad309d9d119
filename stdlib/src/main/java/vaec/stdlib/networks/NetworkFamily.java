package vaec.stdlib.networks;

import java.util.List;

/**
 * A kind of network a model may declare (MLP, Linear, Conv). It reads the declaration's
 * arguments itself, options included (integers, activations, calls such as conv(32, kernel = 4)),
 * and builds a {@link NetworkSpec} that owns its parameters, shapes and lowering, or reports what
 * is wrong with a {@link NetworkError} at the term at fault. {@link NetArgs} has the common parts.
 */
public interface NetworkFamily {
  String name();

  /** Named options this family accepts, for messages and completion. */
  List<String> options();

  /**
   * @param name  the declared name (the parameters' prefix)
   * @param args  the arguments of the declaration, as written
   * @param where the declaration's position, for errors about it as a whole
   * @throws NetworkError with a user-facing reason and the position at fault
   */
  NetworkSpec build(String name, List<NetTerm.Arg> args, Object where);
}
