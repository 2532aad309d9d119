package vaec.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import vaec.runtime.UserError;
import vaec.runtime.data.BoundData;
import vaec.runtime.data.DataInput;
import vaec.runtime.data.TokenData;
import vaec.runtime.data.Vocabulary;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.train.Evaluator;
import vaec.runtime.train.ModelState;
import vaec.runtime.train.SequenceSampler;

/**
 * What a run writes for a model over token sequences, as text: samples.txt (32 draws from the
 * prior at temperature 1, then 8 greedy), reconstructions.txt (test sequences beside the greedy
 * decoding of their guide means), interpolation.txt (the greedy decodings of 8 equally spaced
 * points between two test sequences' guide means, for 4 pairs), and, printed, the share of the
 * first 500 test sequences reconstructed exactly and of their tokens (end token included) decoded
 * in place.
 */
final class TokenOutputs {
  private TokenOutputs() {}

  static List<Path> write(Path dir, ModelState state, Evaluator ev, CompiledModel m, BoundData test, DataInput x) {
    Vocabulary v = TokenData.vocabulary(m.file(), x, m.config().dataset(), m.config().testDataset());
    List<Path> out = new ArrayList<>();
    StringBuilder s = new StringBuilder("# samples from the prior, temperature 1\n");
    for (float[] r : SequenceSampler.samplePrior(state, x, 32, v.size(), 1.0, 0)) s.append(v.decode(r, 0, r.length)).append('\n');
    s.append("# greedy decoding of prior draws\n");
    for (float[] r : SequenceSampler.samplePrior(state, x, 8, v.size(), 0.0, 1)) s.append(v.decode(r, 0, r.length)).append('\n');
    out.add(write(dir.resolve("samples.txt"), s.toString()));

    int n = Math.min(500, test.rows());
    float[][] inputs = test.get(x.name()).slice(0, n).values().length == 0 ? new float[0][] : rows(test, x, n);
    float[][] decoded = SequenceSampler.decodeLatents(state, x, SequenceSampler.guideMeans(ev, test, n), v.size(), 0.0, 0);
    int exact = 0;
    long tokens = 0;
    long matching = 0;
    StringBuilder r = new StringBuilder("# test input -> greedy decoding of its guide mean\n");
    for (int i = 0; i < n; i++) {
      String a = v.decode(inputs[i], 0, x.width());
      String b = v.decode(decoded[i], 0, x.width());
      if (a.equals(b)) exact++;
      for (int t = 0; t < x.width(); t++) {   // positions up to and including the input's end token
        if (inputs[i][t] == Vocabulary.PAD) break;
        tokens++;
        if (decoded[i][t] == inputs[i][t]) matching++;
      }
      if (i < 40) r.append(String.format(Locale.ROOT, "%-18s %s%n", a, b));
    }
    out.add(write(dir.resolve("reconstructions.txt"), r.toString()));
    System.out.printf(Locale.ROOT, "test reconstructions (greedy, from the guide mean): %d of %d exact (%.1f%%), %.1f%% of tokens in place%n",
        exact, n, 100.0 * exact / n, 100.0 * matching / Math.max(1, tokens));

    int pairs = Math.min(4, n / 2);
    int steps = 8;
    Map<String, float[][]> ends = SequenceSampler.guideMeans(ev, test, 2 * pairs);
    Map<String, float[][]> line = new LinkedHashMap<>();
    for (var e : ends.entrySet()) {
      float[][] pts = new float[pairs * steps][];
      for (int p = 0; p < pairs; p++) {
        float[] a = e.getValue()[2 * p];
        float[] b = e.getValue()[2 * p + 1];
        for (int k = 0; k < steps; k++) {
          double t = k / (double) (steps - 1);
          float[] z = new float[a.length];
          for (int j = 0; j < a.length; j++) z[j] = (float) ((1 - t) * a[j] + t * b[j]);
          pts[p * steps + k] = z;
        }
      }
      line.put(e.getKey(), pts);
    }
    float[][] path = SequenceSampler.decodeLatents(state, x, line, v.size(), 0.0, 0);
    StringBuilder ip = new StringBuilder("# from test sequence 2p to 2p+1: greedy decodings of " + steps + " points on the line between their guide means\n");
    for (int p = 0; p < pairs; p++) {
      List<String> words = new ArrayList<>();
      for (int k = 0; k < steps; k++) words.add(v.decode(path[p * steps + k], 0, x.width()));
      ip.append(v.decode(inputs[2 * p], 0, x.width())).append(" | ").append(String.join(" -> ", words)).append(" | ")
          .append(v.decode(inputs[2 * p + 1], 0, x.width())).append('\n');
    }
    out.add(write(dir.resolve("interpolation.txt"), ip.toString()));
    return out;
  }

  private static float[][] rows(BoundData d, DataInput x, int n) {
    float[] all = d.get(x.name()).values();
    float[][] out = new float[n][];
    for (int i = 0; i < n; i++) out[i] = java.util.Arrays.copyOfRange(all, i * x.width(), (i + 1) * x.width());
    return out;
  }

  private static Path write(Path p, String text) {
    try {
      Files.writeString(p, text);
      return p;
    } catch (IOException e) {
      throw new UserError("cannot write " + p + ": " + e.getMessage());
    }
  }
}
