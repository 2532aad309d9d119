package vaec.stdlib.networks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import vaec.runtime.kernels.Activation;

/**
 * The arguments of a network declaration split the common way: one positional chain of layers
 * and named options, each option known to the family and given once. Also the readers families
 * share: whole numbers and activations.
 */
public final class NetArgs {
  private final String family;
  private final NetTerm chain;
  private final Map<String, NetTerm.Arg> named;

  private NetArgs(String family, NetTerm chain, Map<String, NetTerm.Arg> named) {
    this.family = family;
    this.chain = chain;
    this.named = named;
  }

  /** Splits and checks the arguments of {@code family(...)}; {@code options} are the names it accepts. */
  public static NetArgs of(String family, List<String> options, List<NetTerm.Arg> args) {
    NetTerm chain = null;
    Map<String, NetTerm.Arg> named = new LinkedHashMap<>();
    for (NetTerm.Arg a : args) {
      if (a.name() == null) {
        if (chain != null) throw new NetworkError("layer widths are given once, as a chain like 784 -> 400 -> 40", a.where());
        chain = a.value();
      } else if (!options.contains(a.name())) {
        throw new NetworkError(family + " has no option '" + a.name() + "'", a.where(), a.name(), options);
      } else if (named.containsKey(a.name())) {
        throw new NetworkError("option '" + a.name() + "' is given twice", a.where());
      } else {
        named.put(a.name(), a);
      }
    }
    return new NetArgs(family, chain, named);
  }

  /** The items of the positional chain (empty when none was given). */
  public List<NetTerm> chain() {
    return chain == null ? List.of() : NetTerm.items(chain);
  }

  /** The activation named by option {@code key}, or the default. */
  public Activation activation(String key, Activation dflt) {
    NetTerm.Arg a = named.get(key);
    return a == null ? dflt : activation(a.value());
  }

  /** The whole number given for option {@code key}, or the default. */
  public int integer(String key, int dflt, int min) {
    NetTerm.Arg a = named.get(key);
    return a == null ? dflt : wholeNumber(a.value(), key, min);
  }

  public String family() { return family; }

  /** The named options as given, for families that read options other than numbers and activations. */
  public Named named() { return new Named(named); }

  /** Named options by name: whether given, the value, and where it was written. */
  public record Named(Map<String, NetTerm.Arg> args) {
    public boolean has(String key) { return args.containsKey(key); }
    public NetTerm value(String key) { return args.get(key).value(); }
    public Object where(String key) { return args.get(key).where(); }
  }

  /** An activation by its name (relu, tanh, ...). */
  public static Activation activation(NetTerm t) {
    List<String> names = new ArrayList<>();
    for (Activation a : Activation.values()) names.add(a.lowerName());
    if (t instanceof NetTerm.Name n) {
      for (Activation a : Activation.values()) if (a.lowerName().equals(n.name())) return a;
      throw new NetworkError("unknown activation '" + n.name() + "'", t.where(), n.name(), names);
    }
    throw new NetworkError("unknown activation '" + NetTerm.text(t) + "'", t.where(), NetTerm.text(t), names);
  }

  /** A whole number of at least {@code min}; {@code what} names it in the message. */
  public static int wholeNumber(NetTerm t, String what, int min) {
    if (t instanceof NetTerm.Num n && n.value() == Math.rint(n.value()) && n.value() >= min && n.value() <= 1e8) return (int) n.value();
    boolean tooLarge = t instanceof NetTerm.Num n && n.value() > 1e8;
    throw new NetworkError(what + " must be a whole number of at least " + min + (tooLarge ? " and at most 100000000" : "") + ", got "
        + NetTerm.text(t), t.where());
  }

  /** A layer width: a positive whole number. */
  public static int width(NetTerm t) {
    if (t instanceof NetTerm.Num n && n.value() == Math.rint(n.value()) && n.value() >= 1 && n.value() <= 1e8) return (int) n.value();
    throw new NetworkError("a layer width must be a positive whole number" + (t instanceof NetTerm.Num n && n.value() > 1e8
        ? " of at most 100000000" : "") + ", got " + NetTerm.text(t), t.where());
  }
}
