package vaec.compiler.plan;

import vaec.stdlib.estimators.Settings;
import vaec.stdlib.objectives.Objective;

/** The training objective the model names (the ELBO when it names none) and its checked settings. */
public record ObjectivePlan(Objective objective, Settings settings) {
  public int samples() { return objective.samples(settings); }

  public String describe() { return objective.describe(settings); }

  public java.util.List<vaec.runtime.model.ReportedTerm> reported() { return objective.reported(settings); }
}
