package vaec.compiler.ir;

/**
 * Where an IR element comes from: the file, the statement's line and column, and the statement's
 * text, for messages about the model. Lowering turns it into the graph's source reference.
 */
public record Origin(String file, int line, int column, String text) {}
