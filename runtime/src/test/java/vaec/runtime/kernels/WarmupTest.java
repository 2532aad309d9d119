package vaec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The warm-up runs every kernel it calls without failing (it swallows failures in production, so
 * this is where one shows) and draws nothing from ND4J's global random stream, which a model's
 * initialisation may read.
 */
class WarmupTest {
  @Test
  void runsAndLeavesNd4jsRandomStreamAlone() {
    Nd4j.getRandom().setSeed(1234);
    long expected = Nd4j.getRandom().nextLong();
    Nd4j.getRandom().setSeed(1234);
    Warmup.run();
    assertEquals(expected, Nd4j.getRandom().nextLong());
  }

  @Test
  void aSettingOtherThanZeroOrOneIsAUserErrorNamingIt() {
    for (String ok : new String[] {null, "", " ", "0", "1", " 1 "}) Warmup.checkSetting(ok);
    var e = assertThrows(vaec.runtime.UserError.class, () -> Warmup.checkSetting("yes"));
    assertTrue(e.getMessage().contains("VAEC_WARMUP is 'yes'"), e.getMessage());
  }
}
