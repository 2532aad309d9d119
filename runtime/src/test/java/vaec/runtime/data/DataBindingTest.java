package vaec.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vaec.runtime.UserError;

/**
 * Binding data variables to parts of a dataset ({@link DataBinder}) and loading them
 * ({@link DataLoader}): the default rule keeps one-variable models as they were, named parts,
 * column ranges and files of their own bind as written, and every mistake is a message naming the
 * variable, its line and what the dataset offers.
 */
class DataBindingTest {
  @TempDir Path dir;

  static DataInput input(String name, String type, DataBinding b, int line) {
    ValueDomain d;
    int width = Integer.parseInt(type.replaceAll("[^0-9]", "").isEmpty() ? "1" : type.replaceAll("^[a-z]+\\[([0-9]+)\\].*", "$1"));
    if (type.startsWith("onehot")) d = ValueDomain.ONE_HOT;
    else if (type.startsWith("binary")) d = ValueDomain.BINARY;
    else d = type.contains(" in ") ? ValueDomain.UNIT_INTERVAL : ValueDomain.REAL;
    return new DataInput(name, width, d, width, b, true, "data " + name + " : " + type, line);
  }

  static DataSplit load(List<DataInput> inputs, String dataset) {
    return DataLoader.load("m.vae", inputs, new DataLoader.Request(dataset, null, false, 0));
  }

  // ---- the rules, without reading data ----

  @Test
  void oneUnboundVariableTakesThePrimaryPart() {
    var r = DataBinder.resolve(List.of(input("x", "real[784] in [0, 1]", null, 3)), NamedDatasets.describe("mnist_digits"));
    assertTrue(r.problems().isEmpty(), r.problems().toString());
    assertEquals("images (by default)", r.sources().get(0).toString());
  }

  @Test
  void aVariableTakesThePartOfItsOwnNameAndTheOtherOneTheImages() {
    var r = DataBinder.resolve(List.of(input("x", "real[784] in [0, 1]", null, 3), input("labels", "onehot[10]", null, 4)),
        NamedDatasets.describe("mnist_digits"));
    assertTrue(r.problems().isEmpty(), r.problems().toString());
    assertEquals("images (by default)", r.sources().get(0).toString());
    assertEquals("labels (by default)", r.sources().get(1).toString());
  }

  @Test
  void twoUnboundVariablesAreBothErrorsThatNameThePartsAndAFix() {
    var r = DataBinder.resolve(List.of(input("x", "real[784] in [0, 1]", null, 3), input("y", "onehot[10]", null, 4)),
        NamedDatasets.describe("mnist_digits"));
    assertEquals(2, r.problems().size());
    assertEquals("data 'y' is bound to nothing; parts of mnist_digits: images, labels; write `data y : onehot[10] from labels`",
        r.problems().get(1).message());
    assertEquals("data 'x' is bound to nothing; parts of mnist_digits: images, labels; write `data x : real[784] in [0, 1] from images`",
        r.problems().get(0).message());
  }

  @Test
  void theDefaultDoesNotTakeAPartAnotherVariableNamed() {
    var r = DataBinder.resolve(List.of(input("x", "real[784] in [0, 1]", new DataBinding.Part("images"), 3), input("y", "onehot[10]", null, 4)),
        NamedDatasets.describe("mnist_digits"));
    assertEquals(1, r.problems().size());
    assertEquals(1, r.problems().get(0).input());
    assertTrue(r.problems().get(0).message().contains("from labels"), r.problems().toString());
  }

  @Test
  void unknownPartWidthAndDomainMismatchesNameBothSides() {
    var d = NamedDatasets.describe("mnist_digits");
    var unknown = DataBinder.resolve(List.of(input("y", "onehot[10]", new DataBinding.Part("lables"), 4)), d);
    assertEquals("dataset mnist_digits has no part 'lables'; its parts are images, labels", unknown.problems().get(0).message());
    assertTrue(unknown.problems().get(0).atSource());
    var width = DataBinder.resolve(List.of(input("y", "real[784]", new DataBinding.Part("labels"), 4)), d);
    assertEquals("'y' is declared real[784] but part 'labels' of mnist_digits holds one-hot labels of 10 classes (10 values per example);"
        + " write `data y : onehot[10] from labels`", width.problems().get(0).message());
    var domain = DataBinder.resolve(List.of(input("x", "onehot[784]", new DataBinding.Part("images"), 4)), d);
    assertTrue(domain.problems().get(0).message().startsWith("'x' is declared onehot[784] but part 'images' of mnist_digits holds 28 x 28"),
        domain.problems().get(0).message());
    var columns = DataBinder.resolve(List.of(input("x", "real[784]", new DataBinding.Columns(0, 784), 4)), d);
    assertTrue(columns.problems().get(0).message().contains("takes columns of a file dataset"), columns.problems().toString());
  }

  @Test
  void binaryDataMayComeFromIntensitiesThatAreBinarizedOnTheFly() {
    var r = DataBinder.resolve(List.of(input("x", "binary[784]", null, 3)), NamedDatasets.describe("fashion_mnist"));
    assertTrue(r.problems().isEmpty(), r.problems().toString());
  }

  // ---- loading ----

  @Test
  void namedLabelsAreOneHotAndAlignedWithTheirImages() {
    DataSplit s = load(List.of(input("x", "real[784] in [0, 1]", null, 3), input("y", "onehot[10]", new DataBinding.Part("labels"), 4)),
        "mnist_digits");
    assertEquals(9000, s.train().rows());
    assertEquals(1000, s.test().rows());
    Dataset y = s.test().get("y");
    assertEquals(10, y.width());
    // The raw IDX labels, in the same order as the images.
    int[] classes = ClassIndices.of(y);
    TrainTest raw = NamedDatasets.load("mnist_digits", "labels");
    assertArrayEquals(ClassIndices.of(raw.test()), classes);
    for (int r = 0; r < y.rows(); r++) {
      float sum = 0;
      for (int j = 0; j < 10; j++) sum += y.values()[r * 10 + j];
      assertEquals(1f, sum);
    }
    assertEquals(0, s.test().get("x").slice(0, 1).values().length % 784);
  }

  @Test
  void unboundVariableAtRunTimeNamesTheModelLine() {
    UserError e = assertThrows(UserError.class, () -> load(List.of(input("x", "real[784] in [0, 1]", null, 3),
        input("y", "onehot[10]", null, 4)), "mnist_digits"));
    assertTrue(e.getMessage().contains("m.vae:4: data 'y' with dataset mnist_digits: data 'y' is bound to nothing"), e.getMessage());
    assertTrue(e.getMessage().contains("m.vae:3: data 'x'"), e.getMessage());
  }

  /** A CSV of {@code rows} rows: 3 features in [0, 1], then a class index 0..2, then its one-hot (3 columns). */
  private Path csv(int rows) {
    List<String> lines = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      int c = r % 3;
      lines.add((r % 5) / 5.0 + ",0.5," + (c == 1 ? 1 : 0) + "," + c + "," + (c == 0 ? 1 : 0) + "," + (c == 1 ? 1 : 0) + "," + (c == 2 ? 1 : 0));
    }
    return TestFiles.write(dir, "t.csv", String.join("\n", lines) + "\n");
  }

  @Test
  void columnsOfAFileBindEachVariableAndShareTheHeldOutRows() {
    Path f = csv(20);
    DataSplit s = load(List.of(input("x", "real[3] in [0, 1]", new DataBinding.Columns(0, 3), 3),
        input("y", "onehot[3]", new DataBinding.Columns(4, null), 4),
        input("c", "onehot[3]", new DataBinding.Columns(3, 4), 5)), f.toString());
    assertEquals(18, s.train().rows());
    assertEquals(2, s.test().rows());
    assertEquals(3, s.train().get("x").width());
    // The one-hot columns and the class-index column (expanded) agree row by row, in both parts.
    for (BoundData b : List.of(s.train(), s.test())) {
      assertArrayEquals(ClassIndices.of(b.get("y")), ClassIndices.of(b.get("c")));
    }
    assertEquals(18 % 3, ClassIndices.of(s.test().get("y"))[0]);
  }

  @Test
  void columnsPastTheFileAndOfTheWrongWidthAreErrors() {
    Path f = csv(10);
    UserError past = assertThrows(UserError.class, () -> load(List.of(input("x", "real[3] in [0, 1]", new DataBinding.Columns(0, 3), 3),
        input("y", "onehot[3]", new DataBinding.Columns(6, 9), 4)), f.toString()));
    assertTrue(past.getMessage().contains("m.vae:4: data 'y'"), past.getMessage());
    assertTrue(past.getMessage().contains("reach past the 7 columns of " + f), past.getMessage());
    UserError whole = assertThrows(UserError.class, () -> load(List.of(input("x", "real[3] in [0, 1]", null, 3)), f.toString()));
    assertTrue(whole.getMessage().contains("has 7 values per row but x is declared real[3] in [0, 1]; bind the columns it takes,"
        + " e.g. `from columns[0:3]`"), whole.getMessage());
  }

  @Test
  void aFileOfItsOwnNeedsTheSameRowsAndIsSplitTheSameWay() {
    Path f = csv(20);
    List<String> labels = new ArrayList<>();
    for (int r = 0; r < 20; r++) labels.add(String.valueOf(r % 3));
    Path own = TestFiles.write(dir, "labels.csv", String.join("\n", labels) + "\n");
    DataSplit s = load(List.of(input("x", "real[3] in [0, 1]", new DataBinding.Columns(0, 3), 3),
        input("y", "onehot[3]", new DataBinding.File(own.toString()), 4)), f.toString());
    assertEquals(2, s.test().rows());
    assertArrayEquals(new int[] {18 % 3, 19 % 3}, ClassIndices.of(s.test().get("y")));

    Path short_ = TestFiles.write(dir, "short.csv", "0\n1\n2\n");
    UserError rows = assertThrows(UserError.class, () -> load(List.of(input("x", "real[3] in [0, 1]", new DataBinding.Columns(0, 3), 3),
        input("y", "onehot[3]", new DataBinding.File(short_.toString()), 4)), f.toString()));
    assertEquals(short_ + " holds 3 rows but the dataset " + f + " holds 20; data 'y' needs one row per example of the dataset,"
        + " in the same order", rows.getMessage());

    UserError withTest = assertThrows(UserError.class, () -> DataLoader.load("m.vae", List.of(
        input("x", "real[3] in [0, 1]", new DataBinding.Columns(0, 3), 3), input("y", "onehot[3]", new DataBinding.File(own.toString()), 4)),
        new DataLoader.Request(f.toString(), f.toString(), false, 0)));
    assertTrue(withTest.getMessage().startsWith("data 'y' reads its own file " + own + ", but the test examples come from a separate file"),
        withTest.getMessage());
  }

  @Test
  void classIndicesOutOfRangeAreReportedWithTheirRow() {
    Path f = csv(10);
    Path bad = TestFiles.write(dir, "bad.csv", "0\n1\n2\n3\n0\n1\n2\n0\n1\n2\n");
    UserError e = assertThrows(UserError.class, () -> load(List.of(input("x", "real[3] in [0, 1]", new DataBinding.Columns(0, 3), 3),
        input("y", "onehot[3]", new DataBinding.File(bad.toString()), 4)), f.toString()));
    assertEquals(bad + ": row 4 holds 3.0, which is not a class index 0..2 (for data y : onehot[3])", e.getMessage());
  }

  @Test
  void dynamicBinarizationBinarizesTheTestImagesOnceAndLeavesLabelsAlone() {
    List<DataInput> in = List.of(input("x", "real[784] in [0, 1]", null, 3), input("y", "onehot[10]", new DataBinding.Part("labels"), 4));
    DataSplit plain = load(in, "mnist_digits");
    DataSplit bin = DataLoader.load("m.vae", in, new DataLoader.Request("mnist_digits", null, true, 0));
    for (float v : bin.test().get("x").values()) assertTrue(v == 0f || v == 1f);
    assertArrayEquals(plain.test().get("y").values(), bin.test().get("y").values());
    // The first binarized variable keeps the historical seed, so one-variable runs are unchanged.
    float[] expected = new float[plain.test().get("x").values().length];
    Binarize.dynamic(plain.test().get("x").values(), expected, new java.util.SplittableRandom(0 ^ 0x5EEDL));
    assertArrayEquals(expected, bin.test().get("x").values());

    UserError none = assertThrows(UserError.class, () -> DataLoader.load("m.vae", List.of(input("y", "onehot[10]", new DataBinding.Part("labels"), 4)),
        new DataLoader.Request("mnist_digits", null, true, 0)));
    assertTrue(none.getMessage().contains("no data variable of m.vae is declared in [0, 1] or binary"), none.getMessage());
  }

  @Test
  void boundDataRefusesTablesOfDifferentLengths() {
    Dataset a = new Dataset("a", 2, 1, new float[2], 0, 0);
    Dataset b = new Dataset("b", 3, 1, new float[3], 0, 0);
    assertThrows(IllegalArgumentException.class, () -> new BoundData(java.util.Map.of("a", a, "b", b)));
    assertNull(DataBinder.resolve(List.of(input("x", "real[1]", null, 1), input("y", "real[1]", null, 2)),
        DataBinder.Description.file("f.csv", 1)).sources().get(0));
    assertInstanceOf(DataBinder.Source.WholeFile.class, DataBinder.resolve(List.of(input("x", "real[1]", null, 1)),
        DataBinder.Description.file("f.csv", 1)).sources().get(0));
  }
}
