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
  void aVocabularyFileBesideTheDataFixesTheIdsInItsOrder() throws Exception {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 9; i++) b.append("abca\n");
    b.append("dc\n");   // the test line: 'd' never occurs in training, yet has its own id
    Path p = write("w.txt", b.toString().getBytes("UTF-8"));
    write("w.txt.vocab", "d\nc\r\n\nb\na\n \n".getBytes("UTF-8"));   // CRLF accepted, the empty line skipped, a space is a token
    TokenData.Loaded l = TokenData.load("m.vae", List.of(chars(6, 10, p.toString())), new DataLoader.Request("unused", null, false, 0));
    assertEquals(List.of("<pad>", "<s>", "</s>", "<unk>", "d", "c", "b", "a", " "), l.vocabulary().tokens());
    assertEquals(List.of(7f, 6f, 5f, 7f, 2f, 0f), toList(java.util.Arrays.copyOfRange(l.split().train().get("w").values(), 0, 6)));
    assertEquals(List.of(4f, 5f, 2f, 0f, 0f, 0f), toList(l.split().test().get("w").values()));
    // sample and reconstruct rebuild the same vocabulary
    assertEquals(l.vocabulary().tokens(), TokenData.vocabulary("m.vae", chars(6, 10, p.toString()), "unused", null).tokens());
  }

  @Test
  void aTokenOutsideAFixedVocabularyIsAnErrorNamingFileLineAndToken() throws Exception {
    Path p = write("w.txt", "ab\n\nba\nabz\nab\n".getBytes("UTF-8"));
    Path v = write("w.txt.vocab", "a\nb\n".getBytes("UTF-8"));
    UserError e = assertThrows(UserError.class, () -> TokenData.load("m.vae", List.of(chars(6, 10, p.toString())),
        new DataLoader.Request("unused", null, false, 0)));
    assertTrue(e.getMessage().startsWith(p + ":4: character 'z' is not in the vocabulary " + v + " "), e.getMessage());
    // a separate test file is checked against the same vocabulary, and named
    Path ok = write("ok.txt", "ab\nba\n".getBytes("UTF-8"));
    write("ok.txt.vocab", "a\nb\n".getBytes("UTF-8"));
    Path t = write("t.txt", "a\nq\n".getBytes("UTF-8"));
    UserError f = assertThrows(UserError.class, () -> TokenData.load("m.vae", List.of(chars(6, 10, ok.toString())),
        new DataLoader.Request("unused", t.toString(), false, 0)));
    assertTrue(f.getMessage().startsWith(t + ":2: character 'q' is not in the vocabulary " + ok + ".vocab "), f.getMessage());
  }

  @Test
  void aWordOutsideAFixedWordVocabularyIsNamed() throws Exception {
    Path p = write("s.txt", "the cat sat\nthe dog sat\n".getBytes("UTF-8"));
    write("s.txt.vocab", "  the \ncat\nsat\n".getBytes("UTF-8"));
    DataInput x = new DataInput("w", 5, ValueDomain.TOKENS, 10, new DataBinding.File(p.toString()), true, "data w : words[5, 10]", 3);
    UserError e = assertThrows(UserError.class, () -> TokenData.load("m.vae", List.of(x), new DataLoader.Request("unused", null, false, 0)));
    assertTrue(e.getMessage().startsWith(p + ":2: word 'dog' is not in the vocabulary "), e.getMessage());
  }

  @Test
  void aBadVocabularyFileIsNamedByFileAndLine() throws Exception {
    Path dup = write("dup.vocab", "a\nb\n\na\n".getBytes("UTF-8"));
    UserError e = assertThrows(UserError.class, () -> TokenData.readVocabulary(dup, 10, false, "tokens[6, 10]"));
    assertEquals(dup + ":4: 'a' is listed twice (first on line 1)", e.getMessage());
    Path two = write("two.vocab", "a\nbc\n".getBytes("UTF-8"));
    e = assertThrows(UserError.class, () -> TokenData.readVocabulary(two, 10, false, "tokens[6, 10]"));
    assertEquals(two + ":2: 'bc' is not one character; a vocabulary file lists one token a line", e.getMessage());
    Path words = write("words.vocab", "the cat\n".getBytes("UTF-8"));
    e = assertThrows(UserError.class, () -> TokenData.readVocabulary(words, 10, true, "words[6, 10]"));
    assertTrue(e.getMessage().startsWith(words + ":1: 'the cat' is not one word"), e.getMessage());
    Path big = write("big.vocab", "a\nb\nc\n".getBytes("UTF-8"));
    e = assertThrows(UserError.class, () -> TokenData.readVocabulary(big, 6, false, "tokens[6, 6]"));
    assertTrue(e.getMessage().startsWith(big + ": 3 tokens, more than the 2 that tokens[6, 6] leaves room for"), e.getMessage());
    assertTrue(e.getMessage().endsWith("at least 7"), e.getMessage());
    Path empty = write("empty.vocab", "\n\n".getBytes("UTF-8"));
    e = assertThrows(UserError.class, () -> TokenData.readVocabulary(empty, 10, false, "tokens[6, 10]"));
    assertEquals(empty + ": no tokens (the vocabulary file is empty or blank)", e.getMessage());
    Path bad = write("bad.vocab", new byte[] {'a', '\n', (byte) 0xC3, (byte) 0x28, '\n'});
    e = assertThrows(UserError.class, () -> TokenData.readVocabulary(bad, 10, false, "tokens[6, 10]"));
    assertEquals(bad + ":2: not valid UTF-8 text", e.getMessage());
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
