package vaec.stdlib.distributions;

import java.util.List;
import vaec.runtime.data.ValueDomain;
import vaec.stdlib.distributions.ParamSpec.Constraint;

/**
 * What the continuous families written as {@code F(loc, scale)} share: those two parameters, real
 * values (LogNormal's are positive, declared {@code real}), and a pathwise sampler.
 */
public abstract class LocationScaleFamily extends DistributionFamily {
  @Override
  public List<List<ParamSpec>> parameterizations() {
    return List.of(List.of(new ParamSpec("loc", Constraint.REAL), new ParamSpec("scale", Constraint.POSITIVE)));
  }

  @Override public ValueDomain support() { return ValueDomain.REAL; }
  @Override public boolean hasPathwiseSampler() { return true; }
  @Override public boolean isDiscrete() { return false; }
}
