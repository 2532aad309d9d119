package vaec.compiler.ir;

import vaec.compiler.Span;
import vaec.runtime.data.ValueDomain;

/** A declared data or latent variable: its name, width (all dimensions flattened) and domain. */
public record Variable(String name, int width, ValueDomain domain, String declaration, Span span) {}
