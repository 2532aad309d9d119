package vaec.compiler.ir;

import vaec.compiler.Span;
import vaec.runtime.data.ValueDomain;

/**
 * A declared data or latent variable: its name, width (all dimensions flattened) and domain.
 * {@code groupSize} is the last dimension of a one-hot type with several (onehot[20, 10]: 20
 * groups of 10), else the width.
 */
public record Variable(String name, int width, ValueDomain domain, String declaration, Span span, int groupSize) {
  public Variable(String name, int width, ValueDomain domain, String declaration, Span span) {
    this(name, width, domain, declaration, span, width);
  }
}
