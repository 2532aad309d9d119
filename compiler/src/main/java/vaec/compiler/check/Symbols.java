package vaec.compiler.check;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import vaec.compiler.ast.Ast;

/**
 * The model's top-level names after resolution, each mapped to its declaration; {@code scored}
 * names the data variables a likelihood statement scores (the others are conditioning inputs).
 */
public record Symbols(
    String modelName,
    Map<String, Ast.VarDecl> data,
    Map<String, Ast.VarDecl> latents,
    Map<String, Ast.NetworkDecl> networks,
    List<Ast.Section> sections,
    Ast.TrainDecl train,
    Set<String> scored) {

  public Map<String, Ast.VarDecl> variables() {
    Map<String, Ast.VarDecl> all = new LinkedHashMap<>(data);
    all.putAll(latents);
    return all;
  }
}
