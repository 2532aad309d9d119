package vaec.stdlib.networks;

import java.util.List;

/**
 * What is wrong with a network declaration, at a term's position ({@link NetTerm#where()}; null
 * for the declaration as a whole). {@code got} and {@code candidates}, when present, let the
 * compiler add a did-you-mean hint (an unknown activation, layer or option).
 */
public final class NetworkError extends IllegalArgumentException {
  private final transient Object where;
  private final String got;
  private final List<String> candidates;

  public NetworkError(String message, Object where) {
    this(message, where, null, List.of());
  }

  public NetworkError(String message, Object where, String got, List<String> candidates) {
    super(message);
    this.where = where;
    this.got = got;
    this.candidates = List.copyOf(candidates);
  }

  public Object where() { return where; }
  public String got() { return got; }
  public List<String> candidates() { return candidates; }
}
