package vaec.stdlib.objectives;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The objectives a train block can name. */
public final class Objectives {
  private static final Map<String, Objective> BY_KEYWORD = new LinkedHashMap<>();

  static {
    for (Objective o : List.of(new Elbo(), new Iwae())) BY_KEYWORD.put(o.keyword(), o);
  }

  private Objectives() {}

  public static Optional<Objective> byKeyword(String k) { return Optional.ofNullable(BY_KEYWORD.get(k)); }

  public static List<String> keywords() { return List.copyOf(BY_KEYWORD.keySet()); }

  public static Objective standard() { return BY_KEYWORD.get("elbo"); }
}
