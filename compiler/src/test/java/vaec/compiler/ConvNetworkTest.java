package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vaec.runtime.model.ParamInit;
import vaec.stdlib.networks.NetworkSpec;

/**
 * Convolutional networks in model files: what a declaration builds (shapes, parameters,
 * activations, in PyTorch's layouts and counts) and every mistake in one, reported at its
 * file:line:col with the shapes involved.
 */
class ConvNetworkTest {
  static final String ENCODER = "Conv(image(1, 28, 28) -> conv(32, kernel = 4, stride = 2, padding = 1) -> conv(64, kernel = 4, stride = 2, padding = 1) -> flatten -> 40, activation = relu)";
  static final String DECODER = "Conv(20 -> 3136 -> image(64, 7, 7) -> deconv(32, kernel = 4, stride = 2, padding = 1) -> deconv(1, kernel = 4, stride = 2, padding = 1), activation = relu)";

  static String model(String encoder, String decoder) {
    return """
        model conv
        data   x : real[28, 28] in [0, 1]
        latent z : real[20]
        network encoder = %s
        network decoder = %s
        prior z ~ Normal(0, 1)
        guide {
          mu, log_var = split(encoder(x))
          z ~ Normal(mu, exp(0.5 * log_var))
        }
        likelihood x ~ Bernoulli(logits = decoder(z))
        train { optimizer = Adam(lr = 1e-3); batch = 16; epochs = 1; seed = 0 }
        """.formatted(encoder, decoder);
  }

  static Compiler.Compilation compile(String text) {
    return Compiler.compile(new SourceFile("m.vae", text));
  }

  static Diagnostic only(String text) {
    CompileError e = assertThrows(CompileError.class, () -> compile(text));
    assertEquals(1, e.diagnostics().size(), e.getMessage());
    return e.diagnostics().get(0);
  }

  static Map<String, long[]> shapes(NetworkSpec n) {
    Map<String, long[]> m = new LinkedHashMap<>();
    for (ParamInit p : n.params()) m.put(p.name(), p.shape());
    return m;
  }

  @Test
  void theConvVaeBuildsPyTorchShapedLayers() {
    var c = compile(model(ENCODER, DECODER));
    NetworkSpec enc = c.model().networks().get("encoder");
    NetworkSpec dec = c.model().networks().get("decoder");
    assertEquals(784, enc.inputWidth());
    assertEquals(40, enc.outputWidth());
    assertEquals(20, dec.inputWidth());
    assertEquals(784, dec.outputWidth());
    assertEquals("1x28x28 -> conv 32x14x14 (relu) -> conv 64x7x7 (relu) -> 40", enc.architecture());
    assertEquals("20 -> 3136 (relu) -> deconv 32x14x14 (relu) -> deconv 1x28x28", dec.architecture());
    // torch.nn.Conv2d(1, 32, 4) has 32*1*16 + 32 parameters, and so on: 158,856 and 99,169.
    assertEquals(158_856, enc.parameterCount());
    assertEquals(99_169, dec.parameterCount());
    assertEquals(enc.parameterCount(), enc.params().stream().mapToLong(p -> java.util.Arrays.stream(p.shape()).reduce(1, (a, b) -> a * b)).sum());
    Map<String, long[]> es = shapes(enc);
    assertEquals("[32, 16]", java.util.Arrays.toString(es.get("encoder.0.W")));     // Conv2d weight [out, in*k*k]
    assertEquals("[64, 512]", java.util.Arrays.toString(es.get("encoder.1.W")));
    assertEquals("[3136, 40]", java.util.Arrays.toString(es.get("encoder.2.W")));
    Map<String, long[]> ds = shapes(dec);
    assertEquals("[64, 512]", java.util.Arrays.toString(ds.get("decoder.1.W")));    // ConvTranspose2d weight [in, out*k*k]
    assertEquals("[32, 16]", java.util.Arrays.toString(ds.get("decoder.2.W")));
    // PyTorch's default bound 1/sqrt(fan_in): in*k*k for Conv2d, out*k*k for ConvTranspose2d.
    for (ParamInit p : enc.params()) if (p.name().equals("encoder.1.W")) assertEquals(1 / Math.sqrt(512), p.value(), 1e-15);
    for (ParamInit p : dec.params()) if (p.name().equals("decoder.1.W")) assertEquals(1 / Math.sqrt(32 * 16), p.value(), 1e-15);
    for (ParamInit p : dec.params()) if (p.name().equals("decoder.2.W")) assertEquals(1 / Math.sqrt(16), p.value(), 1e-15);
    String summary = vaec.compiler.emit.Summary.of(c);
    assertTrue(summary.contains("encoder    Conv 1x28x28 -> conv 32x14x14 (relu)"), summary);
  }

  @Test
  void aResidualStackFollowsThePaper() {
    String enc = "Conv(image(1, 28, 28) -> conv(16, kernel = 4, stride = 2, padding = 1) -> residual(8) -> residual(8) -> 40)";
    var c = compile(model(enc, DECODER));
    NetworkSpec n = c.model().networks().get("encoder");
    // No activation between two blocks, the chain's activation (relu) after the stack.
    assertEquals("1x28x28 -> conv 16x14x14 (relu) -> residual 16x14x14/8 -> residual 16x14x14/8 (relu) -> 40", n.architecture());
    long block = (16 * 8 * 9 + 8) + (8 * 16 + 16);
    assertEquals((16 * 16 + 16) + 2 * block + (16 * 14 * 14 * 40 + 40), n.parameterCount());
    assertNotNull(shapes(n).get("encoder.1.conv3.W"));
    assertEquals("[16, 8]", java.util.Arrays.toString(shapes(n).get("encoder.2.conv1.W")));
    String graph = vaec.compiler.emit.GraphText.text("train", c.compiled().train());
    assertTrue(graph.contains("conv2d[16x14x14->8x14x14, k3 s1 p1, relu]"), graph);
    assertTrue(graph.contains("conv2d[8x14x14->16x14x14, k1 s1 p0, identity]"), graph);
  }

  @Test
  void anImageShapeThatDoesNotMatchTheDataIsReportedAtTheCall() {
    Diagnostic d = only(model(ENCODER.replace("image(1, 28, 28)", "image(1, 32, 32)")
        .replace("conv(64, kernel = 4, stride = 2, padding = 1)", "conv(64, kernel = 4, stride = 2, padding = 1)"), DECODER));
    assertTrue(d.message().contains("network 'encoder' takes width 1024 but is given width 784"), d.message());
    assertEquals(8, d.span().line());
  }

  @Test
  void aFractionalOutputNamesTheKernelStridePaddingAndImage() {
    Diagnostic d = only(model(ENCODER.replace("conv(32, kernel = 4, stride = 2, padding = 1)", "conv(32, kernel = 3, stride = 2, padding = 0)"), DECODER));
    assertTrue(d.message().contains("conv on a 1x28x28 image: kernel 3, stride 2, padding 0 do not tile a 28x28 image"), d.message());
    assertEquals(4, d.span().line());
    assertEquals(44, d.span().column());
  }

  @Test
  void anEmptyOutputIsReported() {
    Diagnostic d = only(model("Conv(image(1, 2, 2) -> conv(4, kernel = 5) -> 40)", DECODER));
    assertTrue(d.message().contains("a 5x5 kernel with padding 0 does not fit in a 2x2 image"), d.message());
    Diagnostic t = only(model(ENCODER, "Conv(20 -> image(20, 1, 1) -> deconv(1, kernel = 1, padding = 1) -> 784)"));
    assertTrue(t.message().contains("maps 20x1x1 to an empty image (-1x-1)"), t.message());
    assertEquals(5, t.span().line());
  }

  @Test
  void anImageThatDoesNotHoldTheLayerBeforeItGivesBothSizes() {
    Diagnostic d = only(model(ENCODER, DECODER.replace("20 -> 3136", "20 -> 3000")));
    assertTrue(d.message().contains("image(64, 7, 7) holds 3136 values but the layer before it gives 3000"), d.message());
    assertEquals(5, d.span().line());
    assertEquals(38, d.span().column());
  }

  @Test
  void aConvolutionOnAFlatVectorAsksForTheImageShape() {
    Diagnostic d = only(model(ENCODER, "Conv(20 -> 3136 -> deconv(1, kernel = 4) -> 784)"));
    assertTrue(d.message().contains("deconv needs an image, but here the value is a vector of width 3136; give its shape first"), d.message());
  }

  @Test
  void aWidthMismatchBetweenNetworksNamesBoth() {
    Diagnostic d = only(model(ENCODER, DECODER.replace("Conv(20 ->", "Conv(30 ->")));
    assertTrue(d.message().contains("network 'decoder' takes width 30 but is given width 20"), d.message());
    assertTrue(d.hint().contains("decoder is 30 -> 3136 (relu) -> deconv 32x14x14"), d.hint());
  }

  @Test
  void layerAndOptionMistakesSuggestTheRightName() {
    Diagnostic d = only(model(ENCODER.replace("conv(32,", "comv(32,"), DECODER));
    assertTrue(d.message().contains("unknown layer 'comv'"), d.message());
    assertTrue(d.hint() != null && d.hint().contains("conv"), String.valueOf(d.hint()));
    Diagnostic o = only(model(ENCODER.replace("kernel = 4, stride = 2, padding = 1) -> conv(64", "kernal = 4, stride = 2, padding = 1) -> conv(64"), DECODER));
    assertTrue(o.message().contains("conv has no option 'kernal'"), o.message());
    assertTrue(o.hint() != null && o.hint().contains("kernel"), String.valueOf(o.hint()));
    Diagnostic k = only(model(ENCODER.replace("conv(32, kernel = 4, stride = 2, padding = 1)", "conv(32, stride = 2)"), DECODER));
    assertTrue(k.message().contains("conv needs its kernel size"), k.message());
    Diagnostic a = only(model(ENCODER.replace("activation = relu", "activation = rellu"), DECODER));
    assertTrue(a.message().contains("unknown activation 'rellu'"), a.message());
    Diagnostic s = only(model(ENCODER.replace("stride = 2, padding = 1) -> conv(64", "stride = 0, padding = 1) -> conv(64"), DECODER));
    assertTrue(s.message().contains("stride must be a whole number of at least 1, got 0"), s.message());
    Diagnostic n = only(model(ENCODER.replace("padding = 1) -> conv(64", "padding = -1) -> conv(64"), DECODER));
    assertTrue(n.message().contains("padding must be a whole number of at least 0, got -1"), n.message());
    Diagnostic i = only(model(ENCODER.replace("image(1, 28, 28)", "image(784)"), DECODER));
    assertTrue(i.message().contains("image takes channels, height and width"), i.message());
    Diagnostic f = only(model("Conv(784 -> flatten -> 40)", DECODER));
    assertTrue(f.message().contains("flatten needs an image before it"), f.message());
  }

  @Test
  void layersTooLargeToAllocateAreReportedNotOverflowed() {
    Diagnostic i = only(model(ENCODER.replace("image(1, 28, 28)", "image(100000, 100000, 1000)"), DECODER));
    assertTrue(i.message().contains("holds 10000000000000 values, more than 100000000"), i.message());
    Diagnostic c = only(model(ENCODER.replace("conv(32, kernel = 4", "conv(99999999, kernel = 4"), DECODER));
    assertTrue(c.message().contains("conv on a 1x28x28 image is too large: 99999999x14x14 outputs"), c.message());
    Diagnostic k = only(model(ENCODER.replace("conv(32, kernel = 4, stride = 2, padding = 1)", "conv(2, kernel = 9999, padding = 9998)"), DECODER));
    assertTrue(k.message().contains("is too large"), k.message());
    Diagnostic t = only(model(ENCODER, "Conv(20 -> image(1, 4, 5) -> deconv(1, kernel = 1, stride = 99999999) -> 784)"));
    assertTrue(t.message().contains("deconv on a 1x4x5 image is too large: 1x299999998x399999997 outputs"), t.message());
  }

  @Test
  void theMlpDiagnosticsAreUnchanged() {
    Diagnostic d = only(model("MLP(784 -> 400 -> 40, activaton = relu)", DECODER));
    assertTrue(d.message().contains("MLP has no option 'activaton'"), d.message());
    assertTrue(d.hint() != null && d.hint().contains("activation"), String.valueOf(d.hint()));
    Diagnostic w = only(model("MLP(784 -> 2.5 -> 40)", DECODER));
    assertTrue(w.message().contains("a layer width must be a positive whole number"), w.message());
    assertEquals(4, w.span().line());
    assertEquals(30, w.span().column());
  }

  @Test
  void aFrozenUseStopsTheConvolutionsParameterGradients() {
    var c = compile(model(ENCODER, DECODER));
    var g = new vaec.runtime.graph.Graph();
    var x = g.input("z", 20);
    c.model().networks().get("decoder").apply(g, vaec.runtime.graph.SourceRef.NONE, x, true);
    long stops = g.nodes().stream().filter(nd -> nd.kind() == vaec.runtime.graph.Node.Kind.OP
        && nd.op() instanceof vaec.runtime.ops.StopGradient).count();
    assertEquals(6, stops);   // W and b of the dense layer and of both transposed convolutions
  }
}
