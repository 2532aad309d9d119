package vaec.compiler.ir;

import java.util.List;
import vaec.compiler.Span;

/**
 * A guide block written {@code guide semi_implicit(K = k) { ... }}: its latents, in the order the
 * block samples them, are drawn from conditionals whose arguments read {@code noise(m)}; their
 * joint guide density is the K + 1 mixture of {@link vaec.stdlib.sivi.SemiImplicit}. {@code span}
 * is the modifier's position.
 */
public record SemiImplicitBlock(List<String> latents, int k, Span span) {}
