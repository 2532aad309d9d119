package vaec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vaec.cli.CliRunner.ok;
import static vaec.cli.CliRunner.userError;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model over a small text file of words, end to end: it trains one epoch, writes text samples,
 * reconstructions and interpolations, samples from the command line greedily and with a
 * temperature, and reports a bad line of its data by file and line.
 */
class CliTokensTest {
  @TempDir Path dir;

  static final String MODEL = """
      model words
      data   w : tokens[8, 12] from "%s"
      latent z : real[2]
      network encoder = GRU(tokens(8, 12) -> 4, embed = 4, hidden = 6)
      network decoder = LSTM(tokens(8, 12) -> logits, condition = 2, embed = 4, hidden = 6, word_dropout = 0.2)
      prior z ~ Normal(0, 1)
      guide {
        mu, log_var = split(encoder(w))
        z ~ Normal(mu, exp(0.5 * log_var))
      }
      likelihood w ~ Tokens(logits = decoder(concat(z, w)))
      train { batch = 8; epochs = 1; seed = 0; eval_samples = 2 }
      """;

  Path model(String words) throws Exception {
    Path data = dir.resolve("words.txt");
    Files.writeString(data, words, StandardCharsets.UTF_8);
    Path m = dir.resolve("words.vae");
    Files.writeString(m, MODEL.formatted(data.toString().replace("\\", "/")));
    return m;
  }

  @Test
  void trainsSamplesAndDecodesText() throws Exception {
    StringBuilder b = new StringBuilder();
    String[] ws = {"cab", "bad", "dab", "abc", "ace", "bead", "cade", "deb", "bee", "dace"};
    for (int i = 0; i < 4; i++) for (String w : ws) b.append(w).append('\n');
    Path m = model(b.toString());
    Path out = dir.resolve("run");
    CliRunner.Result r = ok("run", m, "--out", out);
    CliRunner.assertNoStackTrace(r);
    assertTrue(r.stdout().contains("of tokens in place"), r.toString());
    for (String f : new String[] {"samples.txt", "reconstructions.txt", "interpolation.txt"}) assertTrue(Files.exists(out.resolve(f)), f);
    String recon = Files.readString(out.resolve("reconstructions.txt"));
    assertEquals(5, recon.lines().count(), recon);   // a header and the 4 test words (the last 10%), each beside its decoding
    r = ok("eval", m, "--checkpoint", out.resolve("checkpoint.vaeckpt"), "-k", 2, "--iwae-k", 2);
    assertTrue(r.all().contains("test -ELBO"), r.toString());
    Path s = dir.resolve("s.txt");
    r = ok("sample", m, "--checkpoint", out.resolve("checkpoint.vaeckpt"), "-n", 6, "--greedy", "-o", s);
    assertTrue(r.stdout().contains("wrote 6 samples of w (greedy)"), r.toString());
    assertEquals(6, Files.readAllLines(s).size());
    for (String line : Files.readAllLines(s)) assertTrue(line.matches("[a-e?]*"), line);
    r = ok("sample", m, "--checkpoint", out.resolve("checkpoint.vaeckpt"), "-n", 3, "--temperature", 0.7, "-o", s);
    assertEquals(3, Files.readAllLines(s).size(), r.toString());
    userError(new Object[] {"sample", m, "--checkpoint", out.resolve("checkpoint.vaeckpt"), "--temperature", -1},
        "--temperature must be a number above 0");
  }

  @Test
  void charactersBeyondTheVocabularyAreNamedInANote() throws Exception {
    // Was silent: the rarest characters read as unknown, and the test -ELBO fell with no word why.
    StringBuilder b = new StringBuilder();
    String[] ws = {"cab", "bad", "dab", "abc", "ace", "bead", "cade", "deb", "bee", "dace", "fgh", "ijk", "hil", "gif"};
    for (int i = 0; i < 4; i++) for (String w : ws) b.append(w).append('\n');
    Path m = model(b.toString());
    CliRunner.Result r = ok("run", m, "--out", dir.resolve("run"), "--eval-samples", 2, "--iwae-k", 2);
    assertTrue(r.stdout().contains("note: 4 distinct characters of the training data do not fit the 12 token ids of data w (4 reserved)"
        + " and read as unknown, the rarest first; a larger V in tokens[L, V] keeps them"), r.toString());
    r = ok("run", model("cab\nbad\ndab\nabc\nace\nbead\ncade\ndeb\nbee\ndace\n"), "--out", dir.resolve("run2"), "--eval-samples", 2,
        "--iwae-k", 2);
    assertTrue(!r.stdout().contains("note:"), r.toString());
  }

  @Test
  void aLineTooLongIsReportedByFileAndLine() throws Exception {
    Path m = model("cab\nbad\nabcdefghij\ndab\n");
    userError(new Object[] {"run", m, "--out", dir.resolve("run")}, "words.txt:3: 10 characters, more than the 7");
  }

  @Test
  void aTokenModelWithoutATextDatasetIsToldWhatToGive() throws Exception {
    // Was: vaec compile printed "from mnist_digits (characters)" for a token model whose train block
    // names no dataset, and vaec run said "data file of 'w' not found: mnist_digits".
    Path m = dir.resolve("nodata.vae");
    Files.writeString(m, MODEL.replace(" from \"%s\"", ""));
    CliRunner.Result c = ok("compile", m);
    String why = "token data 'w' reads a text file (one sequence per line) or english_words, but the dataset is mnist_digits, a dataset of "
        + "pictures (and the default when the train block names none); name the text with dataset = \"FILE\" or dataset = english_words "
        + "in the train block, or with vaec run --dataset FILE";
    assertTrue(c.stdout().contains("no text to read: " + why), c.toString());
    assertTrue(!c.stdout().contains("from mnist_digits"), c.toString());
    userError(new Object[] {"run", m, "--out", dir.resolve("nodata")}, m + ":2: " + why);
    // Given on the command line, the text is read.
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 8; i++) b.append("cab\nbad\ndace\nbee\n");
    Path text = dir.resolve("given.txt");
    Files.writeString(text, b.toString(), StandardCharsets.UTF_8);
    ok("run", m, "--out", dir.resolve("given"), "--dataset", text);
  }
}
