package vaec.stdlib.estimators;

import java.util.LinkedHashMap;
import java.util.Map;

/** An estimator's or objective's settings after checking: every declared setting has a value (given or default). */
public record Settings(Map<String, Object> values) {
  public static Settings defaults(GradientEstimator e) { return defaults(e.settings()); }

  public static Settings defaults(java.util.List<Setting> settings) {
    Map<String, Object> v = new LinkedHashMap<>();
    for (Setting s : settings) v.put(s.name(), s.defaultValue());
    return new Settings(v);
  }

  public double number(String name) { return (Double) values.get(name); }

  public String choice(String name) { return (String) values.get(name); }

  public Settings with(String name, Object value) {
    Map<String, Object> v = new LinkedHashMap<>(values);
    v.put(name, value);
    return new Settings(v);
  }
}
