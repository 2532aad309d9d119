package vaec.stdlib.estimators;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The estimators a model can name after {@code using}, and the planner's default choice: the
 * pathwise estimator when the guide has a pathwise sampler, exact enumeration for a small discrete
 * support, else the score function.
 */
public final class Estimators {
  private static final Map<String, GradientEstimator> BY_KEYWORD = new LinkedHashMap<>();

  static {
    for (GradientEstimator e : List.of(new Reparameterized(), new ScoreFunction(), new Enumeration(), new ConcreteRelaxation(),
        new StraightThrough(), new StickingTheLanding(), new Rebar(), new Relax(), new Vimco(), new VqStraightThrough())) {
      BY_KEYWORD.put(e.keyword(), e);
    }
  }

  private Estimators() {}

  public static Optional<GradientEstimator> byKeyword(String keyword) { return Optional.ofNullable(BY_KEYWORD.get(keyword)); }

  public static List<GradientEstimator> all() { return List.copyOf(BY_KEYWORD.values()); }

  public static List<String> keywords() { return List.copyOf(BY_KEYWORD.keySet()); }

  /** The planner's choice when the model names none, and why. */
  public static Choice choose(LatentSite z) {
    if (z.guide().codebook().isPresent()) {
      return new Choice(BY_KEYWORD.get("vq"), "straight-through VQ: " + z.guide().name() + " quantizes to a learned codebook");
    }
    if (z.guide().hasPathwiseSampler()) {
      return new Choice(BY_KEYWORD.get("reparameterized"), "reparameterized: " + z.guide().name() + " has a pathwise sampler");
    }
    if (Enumeration.small(z)) {
      return new Choice(BY_KEYWORD.get("enumerate"), String.format("enumeration: %s[%d] has only %.0f values, summed exactly",
          z.guide().name(), z.width(), Math.pow(2, z.guide().log2SupportSize(z.width()))));
    }
    return new Choice(BY_KEYWORD.get("score_function"), "score function: " + z.guide().name() + " has no pathwise sampler"
        + (z.guide().isDiscrete() ? " and too many values to enumerate" : ""));
  }

  /** A chosen estimator and why. */
  public record Choice(GradientEstimator estimator, String reason) {}
}
