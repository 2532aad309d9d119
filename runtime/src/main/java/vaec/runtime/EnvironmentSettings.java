package vaec.runtime;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Every VAEC_* environment setting the runtime reads, each with the check its owner defines. The
 * command line checks them all before it reads a model or any data, so a mistyped value stops a run
 * at once with a message naming the setting and the value, rather than after a data load (or never:
 * a value a setting did not know was once taken silently as one of its modes).
 */
public final class EnvironmentSettings {
  private EnvironmentSettings() {}

  /** One setting: its name and the check that throws a {@link UserError} naming a bad value. */
  public record Setting(String name, Consumer<String> check) {}

  /** The settings, in the order their checks run. */
  public static final List<Setting> ALL = List.of(
      new Setting("VAEC_KERNELS", vaec.runtime.kernels.KernelPath::checkSetting),
      new Setting("VAEC_VECTOR", vaec.runtime.kernels.VectorApi::checkSetting),
      new Setting("VAEC_WARMUP", vaec.runtime.kernels.Warmup::checkSetting),
      new Setting("VAEC_BATCH_HALVES", vaec.runtime.train.Trainer::checkBatchHalvesSetting),
      new Setting("VAEC_GEMM_SPLIT", vaec.runtime.kernels.Parallel::checkSetting),
      new Setting("VAEC_CONV_KERNELS", vaec.runtime.ops.Conv2d::checkSetting),
      new Setting("VAEC_PROFILE", vaec.runtime.exec.StepProfile::checkSetting));

  /** Checks every setting present in {@code env}; the first bad one throws its {@link UserError}. */
  public static void check(Map<String, String> env) {
    for (Setting s : ALL) {
      String v = env.get(s.name());
      if (v != null) s.check().accept(v);
    }
  }
}
