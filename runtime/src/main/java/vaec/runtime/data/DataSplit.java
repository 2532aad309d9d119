package vaec.runtime.data;

/** The data a model trains and is tested on: for each, one table per data variable with the same rows. */
public record DataSplit(BoundData train, BoundData test) {}
