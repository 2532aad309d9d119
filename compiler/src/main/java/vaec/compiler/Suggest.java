package vaec.compiler;

import java.util.Collection;

/** "Did you mean" by edit distance: the closest known name within a third of the word's length. */
public final class Suggest {
  private Suggest() {}

  public static String didYouMean(String word, Collection<String> known) {
    String best = null;
    int bestD = Integer.MAX_VALUE;
    for (String k : known) {
      int d = distance(word.toLowerCase(), k.toLowerCase());
      if (d < bestD) { bestD = d; best = k; }
    }
    if (best == null || bestD > Math.max(2, word.length() / 3)) {
      return known.isEmpty() ? null : "known names: " + String.join(", ", known);
    }
    return "did you mean '" + best + "'?";
  }

  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) prev[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev; prev = cur; cur = t;
    }
    return prev[b.length()];
  }
}
