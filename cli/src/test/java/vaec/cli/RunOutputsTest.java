package vaec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vaec.runtime.UserError;

class RunOutputsTest {
  @TempDir Path dir;

  /** Parses as strict JSON (RFC 8259): NaN, Infinity, single quotes or bare words fail. */
  private static JsonObject strict(Path file) throws IOException {
    JsonReader reader = new JsonReader(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
    reader.setStrictness(Strictness.STRICT);
    JsonElement e = JsonParser.parseReader(reader);
    return e.getAsJsonObject();
  }

  @Test
  void namesAndPathsWithQuotesBackslashesAndNonAsciiRoundTrip() throws IOException {
    String name = "my \"best\" VAE \\ ünïcödé ✓ 模型 \t tab\nnewline \u0001 </script>";
    String path = "C:\\Users\\Zoë\\runs\\\"q\"\\data.npy";
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("model", name);
    metrics.put("dataset", Path.of("/tmp/dätä \"x\".csv"));
    metrics.put("data_file", path);
    metrics.put("key with \"quotes\" \\", 1);
    Path file = dir.resolve("metrics.json");

    RunOutputs.writeMetrics(file, metrics);

    JsonObject o = strict(file);
    assertEquals(name, o.get("model").getAsString());
    assertEquals("/tmp/dätä \"x\".csv", o.get("dataset").getAsString());
    assertEquals(path, o.get("data_file").getAsString());
    assertEquals(1, o.get("key with \"quotes\" \\").getAsInt());
    assertEquals(List.copyOf(metrics.keySet()), List.copyOf(o.keySet()), "keys in the map's order");
  }

  @Test
  void nanAndInfiniteNumbersAreWrittenAsNullAndTheFileStaysValidJson() throws IOException {
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("test_neg_elbo", Double.NaN);
    metrics.put("test_log_px", Double.NEGATIVE_INFINITY);
    metrics.put("test_kl", Float.POSITIVE_INFINITY);
    metrics.put("train_neg_elbo", Arrays.asList(250.5, Double.NaN, Double.POSITIVE_INFINITY, 240.25, null));
    metrics.put("epochs", 3);
    metrics.put("peak_rss_mb", 1234.5678901234);
    metrics.put("tiny", 1.25e-12);
    Path file = dir.resolve("m.json");

    RunOutputs.writeMetrics(file, metrics);

    String text = Files.readString(file);
    assertTrue(!text.contains("NaN") && !text.contains("Infinity"), text);
    JsonObject o = strict(file);
    assertTrue(o.get("test_neg_elbo").isJsonNull(), "NaN is null");
    assertTrue(o.get("test_log_px").isJsonNull(), "-Infinity is null");
    assertTrue(o.get("test_kl").isJsonNull(), "a float infinity is null");
    JsonArray train = o.getAsJsonArray("train_neg_elbo");
    assertEquals(5, train.size());
    assertEquals(250.5, train.get(0).getAsDouble());
    assertTrue(train.get(1).isJsonNull() && train.get(2).isJsonNull() && train.get(4).isJsonNull());
    assertEquals(240.25, train.get(3).getAsDouble());
    assertEquals("3", o.get("epochs").toString(), "an integer stays an integer");
    assertEquals(1234.5678901234, o.get("peak_rss_mb").getAsDouble(), "full precision");
    assertEquals(1.25e-12, o.get("tiny").getAsDouble());
    // The end-to-end tests read these keys with CliRunner's patterns.
    assertEquals(1234.5678901234, CliRunner.number(text, "peak_rss_mb"));
    assertEquals(List.of(250.5, Double.NaN, Double.NaN, 240.25, Double.NaN), CliRunner.numbers(text, "train_neg_elbo"));
  }

  @Test
  void missingDirectoriesAreCreatedAndAnUnwritablePathIsAUserError() throws IOException {
    Path nested = dir.resolve("a").resolve("b").resolve("metrics.json");
    RunOutputs.writeMetrics(nested, Map.of("epochs", 1));
    assertEquals(1, strict(nested).get("epochs").getAsInt());

    Path inside = Files.writeString(dir.resolve("plain"), "x").resolve("metrics.json");
    UserError e = assertThrows(UserError.class, () -> RunOutputs.writeMetrics(inside, Map.of("epochs", 1)));
    assertTrue(e.getMessage().contains(inside.toString()), e.getMessage());
  }
}
