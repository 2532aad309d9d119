package vaec.cli.pictures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AxisScaleTest {
  @Test
  void ticksFallOnNiceNumbersAndCoverTheRange() {
    AxisScale axis = AxisScale.covering(242.6, 285.1, 6);
    assertEquals(10, axis.step(), 1e-12);
    assertEquals(240, axis.min(), 1e-9);
    assertEquals(290, axis.max(), 1e-9);
    assertEquals(List.of("240", "250", "260", "270", "280", "290"), labels(axis));
  }

  @Test
  void epochsOneToTenGetWholeNumberTicks() {
    AxisScale axis = AxisScale.covering(1, 10, 6);
    assertEquals(2, axis.step(), 1e-12);
    assertEquals(List.of("0", "2", "4", "6", "8", "10"), labels(axis));
  }

  @Test
  void boundsThatAreMultiplesOfTheStepGainNoExtraTick() {
    AxisScale axis = AxisScale.covering(0.9, 1.1, 6);
    assertEquals(0.05, axis.step(), 1e-12);
    assertEquals(List.of("0.90", "0.95", "1.00", "1.05", "1.10"), labels(axis));
  }

  @Test
  void aSingleValueIsWidenedAroundItself() {
    AxisScale axis = AxisScale.covering(250, 250, 6);
    assertTrue(axis.step() > 0);
    assertEquals(0.5, axis.fraction(250), 1e-9);
    AxisScale zero = AxisScale.covering(0, 0, 6);
    assertTrue(zero.min() < 0 && zero.max() > 0);
  }

  @Test
  void aTickAtZeroIsNotNegativeZero() {
    AxisScale axis = AxisScale.covering(-0.3, 0.3, 6);
    assertTrue(labels(axis).contains("0.0"), labels(axis).toString());
  }

  private static List<String> labels(AxisScale axis) {
    return axis.ticks().stream().map(axis::label).toList();
  }
}
