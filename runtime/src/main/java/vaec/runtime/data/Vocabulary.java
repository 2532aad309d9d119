package vaec.runtime.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The token ids of a sequence variable. Four ids are reserved: {@link #PAD} (0; positions after
 * the end, masked out of every likelihood), {@link #BOS} (1; what a decoder reads before the
 * first token, never stored), {@link #EOS} (2; stored after the last token, and scored) and
 * {@link #UNK} (3; a token the vocabulary lacks, and what word dropout substitutes). The other
 * ids are the training data's tokens, most frequent first (ties in code-point order), as many as
 * the declared capacity V leaves room for; the rest map to {@link #UNK}.
 */
public final class Vocabulary {
  public static final int PAD = 0;
  public static final int BOS = 1;
  public static final int EOS = 2;
  public static final int UNK = 3;
  public static final int RESERVED = 4;

  private final List<String> tokens;          // id -> token, the reserved ones included
  private final Map<String, Integer> ids = new HashMap<>();
  private final boolean words;
  private final int dropped;                  // distinct training tokens beyond the capacity

  private Vocabulary(List<String> tokens, boolean words, int dropped) {
    this.tokens = List.copyOf(tokens);
    for (int i = RESERVED; i < tokens.size(); i++) ids.put(tokens.get(i), i);
    this.words = words;
    this.dropped = dropped;
  }

  /** The vocabulary of {@code training} sequences, at most {@code capacity} ids in all. */
  public static Vocabulary build(List<List<String>> training, int capacity, boolean words) {
    Map<String, Integer> counts = new HashMap<>();
    for (List<String> s : training) for (String t : s) counts.merge(t, 1, Integer::sum);
    List<String> order = new ArrayList<>(counts.keySet());
    order.sort((a, b) -> counts.get(a).equals(counts.get(b)) ? a.compareTo(b) : counts.get(b) - counts.get(a));
    int room = Math.max(0, capacity - RESERVED);
    List<String> all = new ArrayList<>(List.of("<pad>", "<s>", "</s>", "<unk>"));
    all.addAll(order.subList(0, Math.min(room, order.size())));
    return new Vocabulary(all, words, Math.max(0, order.size() - room));
  }

  /** Ids in use (at most the capacity). */
  public int size() { return tokens.size(); }

  /** Distinct training tokens that did not fit and read as unknown. */
  public int dropped() { return dropped; }

  public boolean words() { return words; }

  public int id(String token) { return ids.getOrDefault(token, UNK); }

  public String token(int id) { return id >= 0 && id < tokens.size() ? tokens.get(id) : "<" + id + ">"; }

  /** The tokens in id order, reserved ones first. */
  public List<String> tokens() { return Collections.unmodifiableList(tokens); }

  /** A sequence as {@code length} ids: its tokens, the end token, then padding. */
  public void encode(List<String> seq, float[] out, int offset, int length) {
    if (seq.size() + 1 > length) throw new IllegalArgumentException(seq.size() + " tokens do not fit in " + length + " positions");
    for (int t = 0; t < seq.size(); t++) out[offset + t] = id(seq.get(t));
    out[offset + seq.size()] = EOS;
    for (int t = seq.size() + 1; t < length; t++) out[offset + t] = PAD;
  }

  /** Ids back to text, up to the end token (padding and the begin token are skipped). */
  public String decode(float[] ids, int offset, int length) {
    StringBuilder b = new StringBuilder();
    for (int t = 0; t < length; t++) {
      int id = Math.round(ids[offset + t]);
      if (id == EOS) break;
      if (id == PAD || id == BOS) continue;
      if (words && b.length() > 0) b.append(' ');
      b.append(id == UNK ? (words ? "<unk>" : "?") : token(id));
    }
    return b.toString();
  }
}
