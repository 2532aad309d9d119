package vaec.runtime.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vaec.runtime.UserError;

/** Token sequences from text: encoding with end token and padding, the vocabulary, and bad input named by file and line. */
class TokenDataTest {
  @TempDir Path dir;

  static DataInput chars(int length, int vocab, String file) {
    return new DataInput("w", length, ValueDomain.TOKENS, vocab, file == null ? null : new DataBinding.File(file), true,
        "data w : tokens[" + length + ", " + vocab + "]", 3);
  }

  Path write(String name, byte[] bytes) throws Exception {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  @Test
  void linesBecomeTokensEndAndPaddingWithAVocabularyFromTheTrainingLines() throws Exception {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 9; i++) b.append("abca\n");
    b.append("\nabd\r\n");   // blank line skipped, CRLF accepted; the last 10% (1 line) is the test set
    Path p = write("w.txt", b.toString().getBytes("UTF-8"));
    TokenData.Loaded l = TokenData.load("m.vae", List.of(chars(6, 10, p.toString())), new DataLoader.Request("unused", null, false, 0));
    Vocabulary v = l.vocabulary();
    assertEquals(List.of("<pad>", "<s>", "</s>", "<unk>", "a", "b", "c"), v.tokens());   // most frequent first
    Dataset train = l.split().train().get("w");
    Dataset test = l.split().test().get("w");
    assertEquals(9, train.rows());
    assertEquals(1, test.rows());
    float[] row = java.util.Arrays.copyOfRange(train.values(), 0, 6);
    assertEquals(List.of(4f, 5f, 6f, 4f, 2f, 0f), toList(row));
    // 'd' is not in the training vocabulary: unknown
    assertEquals(List.of(4f, 5f, 3f, 2f, 0f, 0f), toList(test.values()));
    assertEquals("abca", v.decode(train.values(), 0, 6));
    assertEquals("ab?", v.decode(test.values(), 0, 6));
  }

  static List<Float> toList(float[] a) {
    java.util.List<Float> out = new java.util.ArrayList<>();
    for (float f : a) out.add(f);
    return out;
  }

  @Test
  void wordSequencesUseAWordVocabulary() throws Exception {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 9; i++) b.append("the cat sat\n");
    b.append("the dog sat\n");
    Path p = write("s.txt", b.toString().getBytes("UTF-8"));
    DataInput x = new DataInput("s", 5, ValueDomain.TOKENS, 8, new DataBinding.File(p.toString()), true, "data s : words[5, 8]", 2);
    TokenData.Loaded l = TokenData.load("m.vae", List.of(x), new DataLoader.Request("unused", null, false, 0));
    assertEquals(List.of("<pad>", "<s>", "</s>", "<unk>", "cat", "sat", "the"), l.vocabulary().tokens());
    assertEquals("the <unk> sat", l.vocabulary().decode(l.split().test().get("s").values(), 0, 5));
  }

  @Test
  void wordsAreSplitOnWhitespace() {
    assertEquals(List.of("the", "cat", "sat"), TokenData.tokens("  the cat\tsat ", true));
    assertEquals(List.of("é", "t", "é"), TokenData.tokens("été", false));
  }

  @Test
  void aLineTooLongIsNamedByFileAndLine() throws Exception {
    Path p = write("long.txt", "ab\nabcdef\n".getBytes("UTF-8"));
    UserError e = assertThrows(UserError.class, () -> TokenData.readLines(p, 6, false));
    assertTrue(e.getMessage().startsWith(p + ":2: 6 characters, more than the 5"), e.getMessage());
  }

  @Test
  void invalidUtf8IsNamedByFileAndLine() throws Exception {
    Path p = write("bad.txt", new byte[] {'a', '\n', 'b', '\n', (byte) 0xC3, (byte) 0x28, '\n'});
    UserError e = assertThrows(UserError.class, () -> TokenData.readLines(p, 6, false));
    assertEquals(p + ":3: not valid UTF-8 text", e.getMessage());
  }

  @Test
  void anEmptyFileIsRefused() throws Exception {
    Path p = write("empty.txt", "\n  \n".getBytes("UTF-8"));
    UserError e = assertThrows(UserError.class, () -> TokenData.readLines(p, 6, false));
    assertTrue(e.getMessage().contains("no sequences"), e.getMessage());
  }

  @Test
  void aMissingFileIsNamed() {
    UserError e = assertThrows(UserError.class, () -> TokenData.load("m.vae", List.of(chars(6, 10, "nope.txt")),
        new DataLoader.Request("unused", null, false, 0)));
    assertTrue(e.getMessage().contains("nope.txt"), e.getMessage());
  }

  @Test
  void englishWordsAreLowercaseLettersSplitTheSameWayEveryTime() {
    assumeTrue(Files.isReadable(TokenData.WORDS_FILE), "wamerican is not installed");
    TokenData.Loaded a = TokenData.load("m.vae", List.of(chars(16, 30, null)), new DataLoader.Request(TokenData.ENGLISH_WORDS, null, false, 0));
    TokenData.Loaded b = TokenData.load("m.vae", List.of(chars(16, 30, null)), new DataLoader.Request(TokenData.ENGLISH_WORDS, null, false, 7));
    assertEquals(TokenData.WORDS_TEST, a.test().size());
    assertEquals(TokenData.WORDS_TRAIN, a.train().size());
    assertEquals(a.test(), b.test());
    assertEquals(30, a.vocabulary().size());   // 26 letters and the 4 reserved ids
    java.util.Set<List<String>> train = new java.util.HashSet<>(a.train());
    for (List<String> w : a.test()) assertTrue(!train.contains(w), "test word also in training: " + w);
    for (List<String> w : a.train()) assertTrue(w.size() <= 15 && String.join("", w).matches("[a-z]+"), w.toString());
  }
}
