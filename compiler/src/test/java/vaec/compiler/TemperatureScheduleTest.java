package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import vaec.runtime.checkpoint.Checkpoint.ParamEntry;
import vaec.runtime.exec.Executor;
import vaec.runtime.exec.ParameterStore;
import vaec.runtime.graph.Schedule;
import vaec.runtime.ops.RelaxedBernoulliLogProb;
import vaec.runtime.ops.RelaxedBernoulliRsample;
import vaec.runtime.rng.NoiseSource;

/** An annealed Concrete temperature: planned, and followed step by step by every relaxed op. */
class TemperatureScheduleTest {
  @Test
  void scheduleValues() {
    Schedule s = new Schedule(1.0, 0.01, 0.5);
    assertEquals(1.0, s.at(0));
    assertEquals(Math.exp(-0.1), s.at(10), 1e-12);
    assertEquals(0.5, s.at(100));   // exp(-1) = 0.37 is below the floor
    assertTrue(Schedule.fixed(0.7).isFixed());
  }

  @Test
  void relaxedOpsFollowTheTrainingStep() {
    String model = EstimatorUnbiasednessTest.model("using concrete(temperature = 1.0, anneal = 0.01, min_temperature = 0.5)");
    var c = Compiler.compile(new SourceFile("t.vae", model));
    assertEquals(new Schedule(1.0, 0.01, 0.5), vaec.stdlib.estimators.Relaxation.schedule(c.plan().of("z").settings()));
    assertTrue(c.plan().of("z").estimatorReason().contains("max(0.5, 1.0 exp(-0.01 step))"), c.plan().of("z").estimatorReason());
    var m = c.compiled();
    List<ParamEntry> layout = m.params().stream().map(p -> new ParamEntry(p.name(), p.shape())).toList();
    Executor ex = new Executor(m.train(), 4, new ParameterStore(layout, DataType.FLOAT));
    int relaxedOps = 0;
    for (long step : new long[] {0, 10, 100}) {
      ex.drawNoise(new NoiseSource(1), step);
      for (var n : m.train().nodes()) {
        if (n.kind() != vaec.runtime.graph.Node.Kind.OP) continue;
        if (n.op() instanceof RelaxedBernoulliRsample r) {
          assertEquals(new Schedule(1.0, 0.01, 0.5).at(step), r.temperature(), 1e-12);
          relaxedOps++;
        }
        if (n.op() instanceof RelaxedBernoulliLogProb r) {
          assertEquals(new Schedule(1.0, 0.01, 0.5).at(step), r.temperature(), 1e-12);
          relaxedOps++;
        }
      }
    }
    assertEquals(9, relaxedOps);   // the draw and the two relaxed densities (guide, prior), three steps
  }
}
