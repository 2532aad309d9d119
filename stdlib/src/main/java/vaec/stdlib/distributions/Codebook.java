package vaec.stdlib.distributions;

import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.ops.CodeLookup;
import vaec.runtime.ops.NearestCode;

/**
 * The learned codebook of a codebook latent ({@code latent z : codes[width, positions...]}):
 * {@code codes} vectors of {@code width}, one parameter named {@code LATENT.codebook} (codes x width),
 * shared by the latent's guide (which quantizes to it) and its prior (whose draws are its vectors).
 */
public record Codebook(String latent, int positions, int width, int codes) {
  /** This codebook for a value of {@code valueWidth} columns: valueWidth / width positions. */
  public Codebook at(int valueWidth) { return new Codebook(latent, valueWidth / width, width, codes); }

  /** The codebook parameter's name. */
  public String paramName() { return latent + ".codebook"; }

  /** The codebook parameter in {@code g}. */
  public Node param(Graph g) { return g.param(paramName(), codes, width); }

  /** Each position's nearest code index (batch x positions), no gradient. */
  public Node nearest(Graph g, SourceRef o, Node encoded) {
    return g.apply(new NearestCode(positions, width, codes), o, encoded, param(g));
  }

  /**
   * The code vectors of the indices (batch x width x positions, channels first: column
   * j * positions + p is component j of position p's code); the gradient reaches the codebook.
   */
  public Node lookup(Graph g, SourceRef o, Node indices) {
    return g.apply(new CodeLookup(positions, width, codes), o, indices, param(g));
  }

  /** log K per position: the KL of a VQ guide (all mass on one code) from the uniform prior, in nats. */
  public double uniformKl() { return positions * Math.log(codes); }
}
