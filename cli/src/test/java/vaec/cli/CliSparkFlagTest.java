package vaec.cli;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cli alone (no spark module on its class path, as in the default launcher): --spark is a
 * clear message naming what to build, never a stack trace, and the Spark-only flags need --spark.
 */
class CliSparkFlagTest {
  @TempDir Path dir;

  @Test
  void sparkWithoutTheSparkModuleSaysHowToGetIt() {
    Path csv = TinyModel.writeLines(dir.resolve("data.csv"), TinyModel.csvLines(TinyModel.rows()));
    Path model = TinyModel.write(dir.resolve("tiny.vae"), TinyModel.text(csv));
    Path out = dir.resolve("run");
    CliRunner.userError(new Object[] {"run", model, "--out", out, "--spark", "local[2]"},
        "--spark: the Spark trainer is not on the class path", "build the spark module");
    CliRunner.userError(new Object[] {"run", model, "--out", out, "--spark-partitions", 2},
        "--spark-partitions and --spark-average-every need --spark MASTER");
    CliRunner.userError(new Object[] {"run", model, "--out", out, "--spark", "local[2]", "--spark-average-every", 0},
        "--spark-average-every must be at least 1, not 0");
  }
}
