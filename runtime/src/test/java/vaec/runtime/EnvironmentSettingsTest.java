package vaec.runtime;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every VAEC_* setting refuses a value it does not know, naming the setting and the value; the documented ones pass. */
class EnvironmentSettingsTest {
  @Test
  void everySettingRefusesAnUnknownValueByName() {
    for (EnvironmentSettings.Setting s : EnvironmentSettings.ALL) {
      UserError e = assertThrows(UserError.class, () -> EnvironmentSettings.check(Map.of(s.name(), "yes please")), s.name());
      assertTrue(e.getMessage().startsWith(s.name()) && e.getMessage().contains(" is 'yes please': expected "), e.getMessage());
    }
  }

  @Test
  void theDocumentedValuesPass() {
    Map<String, String> env = new HashMap<>(Map.of("VAEC_KERNELS", "neutral", "VAEC_VECTOR", "0", "VAEC_BATCH_HALVES", "1",
        "VAEC_GEMM_SPLIT", "0", "VAEC_CONV_KERNELS", "nd4j", "VAEC_PROFILE", "1", "PATH", "/usr/bin", "VAEC_HEAP", "2g"));
    env.put("VAEC_WARMUP", "0");
    assertDoesNotThrow(() -> EnvironmentSettings.check(env));
    env.putAll(Map.of("VAEC_KERNELS", "auto", "VAEC_VECTOR", "1", "VAEC_BATCH_HALVES", "0", "VAEC_GEMM_SPLIT", "1",
        "VAEC_CONV_KERNELS", "im2col", "VAEC_PROFILE", "0", "VAEC_WARMUP", "1"));
    assertDoesNotThrow(() -> EnvironmentSettings.check(env));
    for (EnvironmentSettings.Setting s : EnvironmentSettings.ALL) {
      assertDoesNotThrow(() -> EnvironmentSettings.check(Map.of(s.name(), "")), s.name() + " empty");
    }
  }

  @Test
  void theFirstBadSettingInListOrderIsTheOneNamed() {
    UserError e = assertThrows(UserError.class,
        () -> EnvironmentSettings.check(Map.of("VAEC_PROFILE", "2", "VAEC_GEMM_SPLIT", "off")));
    assertEquals("VAEC_GEMM_SPLIT", e.getMessage().substring(0, e.getMessage().indexOf(' ')));
  }
}
