package vaec.stdlib.estimators;

import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import vaec.runtime.graph.Node;

/**
 * One additive piece of the objective (a batch x 1 node), the latents whose draws it depends on,
 * whether it is a likelihood term (what the progress display calls reconstruction), and which
 * latent's KL it is part of.
 *
 * <p>Every term is exactly one of: a likelihood term; a KL part of one latent ({@code latent}
 * non-null: its log p(z | ...), its -log q(z | ...), or its closed-form -KL, all tagged by the
 * lowering where it creates them); or a mixed term ({@code mixed} non-null: an enumerated latent's
 * q-weighted sum over its values, whose parts per latent {@code mixed} builds on demand). So the
 * ELBO of a row is the likelihood terms plus, for each latent, the sum of its parts, which is
 * -KL of that latent (a Monte Carlo or closed-form estimate, or exact where enumerated).
 */
public record Term(Node node, Set<String> deps, boolean likelihood, String latent, Supplier<Map<String, Node>> mixed) {
  /** A term that belongs to no latent's KL (a likelihood term when {@code likelihood}). */
  public Term(Node node, Set<String> deps, boolean likelihood) { this(node, deps, likelihood, null, null); }

  /** A part of {@code latent}'s -KL: its log prior, its -log q, or its closed-form -KL. */
  public static Term kl(Node node, Set<String> deps, String latent) { return new Term(node, deps, false, latent, null); }

  /**
   * A term that mixes several latents' KL parts (an enumerated latent's weighted sum); {@code parts}
   * gives, per latent, the node of its share of this term (lowered on the first call only).
   */
  public static Term mixed(Node node, Set<String> deps, Supplier<Map<String, Node>> parts) {
    return new Term(node, deps, false, null, parts);
  }

  /** This term's value split by latent (each value a part of that latent's -KL); empty for a likelihood term. */
  public Map<String, Node> klParts() {
    if (latent != null) return Map.of(latent, node);
    return mixed != null ? mixed.get() : Map.of();
  }
}
