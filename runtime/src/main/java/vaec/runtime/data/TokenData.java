package vaec.runtime.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import vaec.runtime.UserError;

/**
 * Token sequences for a {@code tokens[L, V]} (characters; also spelled {@code chars}) or
 * {@code words[L, V]} (whitespace-separated words) data variable: text with one sequence per
 * line (blank lines skipped), or the named dataset {@code english_words}
 * (/usr/share/dict/words from the Debian package wamerican).
 *
 * <p>A sequence is stored as L token ids (floats, batch x L in the graph): its tokens, the end
 * token, then padding ({@link Vocabulary}). A line therefore holds at most L - 1 tokens. The
 * vocabulary is built from the training sequences only; a test token outside it reads as
 * unknown.
 */
public final class TokenData {
  private TokenData() {}

  public static final String ENGLISH_WORDS = "english_words";
  public static final Path WORDS_FILE = Path.of("/usr/share/dict/words");
  /** english_words: the words held out for testing, and at most this many for training (seeded shuffle). */
  public static final int WORDS_TEST = 500;
  public static final int WORDS_TRAIN = 4000;
  private static final long WORDS_SEED = 13;

  /** Sequences with the vocabulary and the training and test tables (batch x L ids). */
  public record Loaded(Vocabulary vocabulary, DataSplit split, List<List<String>> train, List<List<String>> test) {}

  /**
   * Why token data {@code x} cannot be read from {@code dataset}, a named dataset of pictures (as
   * mnist_digits, the dataset when the train block names none): what token data reads and how to
   * give it. vaec run refuses the model with it when loading the data; vaec compile, which loads
   * none, prints it as the data's source.
   */
  public static String notText(DataInput x, String dataset) {
    return "token data '" + x.name() + "' reads a text file (one sequence per line) or " + ENGLISH_WORDS + ", but the dataset is "
        + dataset + ", a dataset of pictures" + (dataset.equals(NamedDatasets.MNIST_DIGITS) ? " (and the default when the train block names none)" : "")
        + "; name the text with dataset = \"FILE\" or dataset = " + ENGLISH_WORDS + " in the train block, or with vaec run --dataset FILE";
  }

  /** Whether a data declaration is a token sequence. */
  public static boolean isTokens(DataInput x) { return x.domain() == ValueDomain.TOKENS; }

  /** Whether a token declaration reads words (words[L, V]) rather than characters. */
  public static boolean words(DataInput x) { return x.type().startsWith("words"); }

  /** The data of a model whose data variable is a token sequence. */
  public static Loaded load(String modelFile, List<DataInput> inputs, DataLoader.Request r) {
    if (inputs.size() != 1) {
      throw new UserError(modelFile + ": a model with token data reads one data variable; this one declares "
          + inputs.stream().map(DataInput::name).toList());
    }
    DataInput x = inputs.get(0);
    if (r.dynamicBinarization()) throw new UserError("binarize = dynamic applies to data in [0, 1]; '" + x.name() + "' is a token sequence");
    int length = x.width();
    boolean words = words(x);
    List<List<String>> train;
    List<List<String>> test;
    Vocabulary fixed = null;
    String source = x.binding() instanceof DataBinding.File f ? f.path() : r.dataset();
    if (source.equals(ENGLISH_WORDS)) {
      if (r.testDataset() != null) throw new UserError("test_dataset applies to a file dataset; english_words has its own test words");
      List<List<String>> all = englishWords(length);
      test = all.subList(0, Math.min(WORDS_TEST, all.size() / 2));
      train = all.subList(test.size(), Math.min(all.size(), test.size() + WORDS_TRAIN));
    } else {
      if (x.binding() != null && !(x.binding() instanceof DataBinding.File)) {
        throw new UserError(modelFile + ":" + x.line() + ": token data '" + x.name() + "' is read from a text file or english_words, not " + x.binding());
      }
      if (NamedDatasets.names().contains(source)) throw new UserError(modelFile + ":" + x.line() + ": " + notText(x, source));
      Path p = Path.of(source);
      if (!Files.exists(p)) {
        throw new UserError("data file of '" + x.name() + "' not found: " + source + " (token data reads a text file, one sequence per line, or "
            + ENGLISH_WORDS + ")");
      }
      Path vocabFile = vocabularyFile(p);
      fixed = Files.exists(vocabFile) ? readVocabulary(vocabFile, x.groupSize(), words, x.type()) : null;
      List<List<String>> all = readLines(p, length, words, fixed, vocabFile);
      if (r.testDataset() != null) {
        train = all;
        test = readLines(Path.of(r.testDataset()), length, words, fixed, vocabFile);
      } else {
        if (all.size() < 2) throw new UserError(p + " holds " + all.size() + " sequence(s); at least 2 are needed to hold one out for testing");
        int held = DataLoader.heldOut(all.size());
        train = all.subList(0, all.size() - held);
        test = all.subList(all.size() - held, all.size());
      }
    }
    Vocabulary v = fixed != null ? fixed : Vocabulary.build(train, x.groupSize(), words);
    Dataset tr = table(train, v, length, source + " (training)");
    Dataset te = table(test, v, length, source + " (test)");
    List<String> notes = v.dropped() == 0 ? List.of() : List.of(String.format(java.util.Locale.ROOT,
        "note: %,d distinct %s of the training data do not fit the %d token ids of data %s (%d reserved) and read as unknown, "
            + "the rarest first; a larger V in %s[L, V] keeps them", v.dropped(), words ? "words" : "characters", x.groupSize(),
        x.name(), Vocabulary.RESERVED, words ? "words" : "tokens"));
    return new Loaded(v, new DataSplit(new BoundData(Map.of(x.name(), tr)), new BoundData(Map.of(x.name(), te)), notes), train, test);
  }

  /** The vocabulary the model's data gives (its fixed vocabulary, or rebuilt from the training sequences, as training built it). */
  public static Vocabulary vocabulary(String modelFile, DataInput x, String dataset, String testDataset) {
    return load(modelFile, List.of(x), new DataLoader.Request(dataset, testDataset, false, 0)).vocabulary();
  }

  static Dataset table(List<List<String>> seqs, Vocabulary v, int length, String origin) {
    float[] values = new float[seqs.size() * length];
    for (int i = 0; i < seqs.size(); i++) v.encode(seqs.get(i), values, i * length, length);
    return new Dataset(origin, seqs.size(), length, values, 0, 0);
  }

  /**
   * The words of /usr/share/dict/words made of the lowercase letters a to z only (no proper
   * nouns, possessives or accents), those of at most {@code length - 1} letters, without
   * duplicates, in an order shuffled with a fixed seed (so the test words are the same in every
   * run).
   */
  public static List<List<String>> englishWords(int length) {
    if (!Files.isReadable(WORDS_FILE)) {
      throw new UserError(ENGLISH_WORDS + " reads " + WORDS_FILE + ", which is missing: sudo apt-get install wamerican");
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(WORDS_FILE, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UserError("cannot read " + WORDS_FILE + ": " + e.getMessage());
    }
    LinkedHashSet<String> keep = new LinkedHashSet<>();
    for (String w : lines) if (w.matches("[a-z]+") && w.length() <= length - 1) keep.add(w);
    List<String> ws = new ArrayList<>(keep);
    Collections.shuffle(ws, new Random(WORDS_SEED));
    List<List<String>> out = new ArrayList<>();
    for (String w : ws) out.add(chars(w));
    return out;
  }

  /** The characters (code points) of a string, each a token. */
  public static List<String> chars(String s) {
    List<String> out = new ArrayList<>();
    s.codePoints().forEach(c -> out.add(new String(Character.toChars(c))));
    return out;
  }

  /** The tokens of one line: its characters, or its whitespace-separated words. */
  public static List<String> tokens(String line, boolean words) {
    if (!words) return chars(line);
    List<String> out = new ArrayList<>();
    for (String w : line.trim().split("\\s+")) if (!w.isEmpty()) out.add(w);
    return out;
  }

  /**
   * The sequences of a UTF-8 text file, one a line (a trailing carriage return is dropped, blank
   * lines skipped). Invalid UTF-8, a line of more than {@code length - 1} tokens and a file with
   * no sequence are errors naming the file and line.
   */
  public static List<List<String>> readLines(Path p, int length, boolean words) {
    return readLines(p, length, words, null, null);
  }

  /**
   * As {@link #readLines(Path, int, boolean)}; with a fixed vocabulary (read from
   * {@code vocabFile}), a token it does not list is also an error naming the file and line.
   */
  public static List<List<String>> readLines(Path p, int length, boolean words, Vocabulary fixed, Path vocabFile) {
    List<List<String>> out = new ArrayList<>();
    for (Line l : lines(p)) {
      if (l.text().isBlank()) continue;
      List<String> toks = tokens(l.text(), words);
      if (toks.size() > length - 1) {
        throw new UserError(p + ":" + l.number() + ": " + toks.size() + (words ? " words" : " characters") + ", more than the " + (length - 1)
            + " a sequence of length " + length + " holds (one position is kept for the end token); raise the length or shorten the line");
      }
      if (fixed != null) {
        for (String t : toks) {
          if (!fixed.contains(t)) {
            throw new UserError(p + ":" + l.number() + ": " + (words ? "word " : "character ") + quote(t) + " is not in the vocabulary "
                + vocabFile + " (a fixed vocabulary: add it there, or delete that file to build the vocabulary from the training data)");
          }
        }
      }
      out.add(toks);
    }
    if (out.isEmpty()) throw new UserError(p + ": no sequences (the file is empty or blank)");
    return out;
  }

  /** The fixed vocabulary of a data file, if the user gives one: the file of the same name plus {@code .vocab}, beside it. */
  public static Path vocabularyFile(Path data) {
    return data.resolveSibling(data.getFileName() + ".vocab");
  }

  /**
   * A fixed vocabulary: UTF-8 text, one token a line in the id order wanted (empty lines skipped,
   * a trailing carriage return dropped). For characters a line is exactly one character (a space
   * included); for words a line is one word (surrounding whitespace ignored). A duplicate, a
   * line that is not one token, no token at all, or more tokens than {@code capacity} leaves
   * room for after the reserved ids are errors naming the file (and line).
   */
  public static Vocabulary readVocabulary(Path p, int capacity, boolean words, String type) {
    List<String> given = new ArrayList<>();
    Map<String, Integer> first = new java.util.HashMap<>();
    for (Line l : lines(p)) {
      String t = words ? l.text().trim() : l.text();
      if (t.isEmpty()) continue;
      if (words ? t.split("\\s+").length != 1 : t.codePointCount(0, t.length()) != 1) {
        throw new UserError(p + ":" + l.number() + ": " + quote(t) + " is not one " + (words ? "word" : "character")
            + "; a vocabulary file lists one token a line");
      }
      Integer seen = first.putIfAbsent(t, l.number());
      if (seen != null) throw new UserError(p + ":" + l.number() + ": " + quote(t) + " is listed twice (first on line " + seen + ")");
      given.add(t);
    }
    if (given.isEmpty()) throw new UserError(p + ": no tokens (the vocabulary file is empty or blank)");
    int room = capacity - Vocabulary.RESERVED;
    if (given.size() > room) {
      throw new UserError(p + ": " + given.size() + " tokens, more than the " + Math.max(0, room) + " that " + type + " leaves room for ("
          + Vocabulary.RESERVED + " ids are reserved: padding, begin, end, unknown); raise the declared vocabulary size to at least "
          + (given.size() + Vocabulary.RESERVED));
    }
    return Vocabulary.fixed(given, words);
  }

  private static String quote(String t) {
    StringBuilder b = new StringBuilder("'");
    t.codePoints().forEach(c -> {
      if (Character.isISOControl(c)) b.append(String.format("\\u%04x", c));
      else b.appendCodePoint(c);
    });
    return b.append('\'').toString();
  }

  private record Line(int number, String text) {}

  /** The lines of a UTF-8 text file, numbered from 1, a trailing carriage return dropped; invalid UTF-8 is an error naming the line. */
  private static List<Line> lines(Path p) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(p);
    } catch (IOException e) {
      throw new UserError("cannot read " + p + ": " + e.getMessage());
    }
    List<Line> out = new ArrayList<>();
    CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    int start = 0;
    int line = 0;
    while (start < bytes.length) {
      int end = start;
      while (end < bytes.length && bytes[end] != '\n') end++;
      line++;
      String text;
      try {
        text = dec.decode(ByteBuffer.wrap(bytes, start, end - start)).toString();
      } catch (CharacterCodingException e) {
        throw new UserError(p + ":" + line + ": not valid UTF-8 text");
      }
      if (text.endsWith("\r")) text = text.substring(0, text.length() - 1);
      out.add(new Line(line, text));
      start = end + 1;
    }
    return out;
  }
}
