package vaec.runtime.data;

import java.util.List;

/**
 * The data a model trains and is tested on: for each, one table per data variable with the same
 * rows; and notes for the user about how the data were read (a token model's vocabulary that left
 * tokens out), which the commands print with their header.
 */
public record DataSplit(BoundData train, BoundData test, List<String> notes) {
  public DataSplit {
    notes = List.copyOf(notes);
  }

  public DataSplit(BoundData train, BoundData test) {
    this(train, test, List.of());
  }
}
