package dev.infero.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.api.io.ImageInput;
import dev.infero.api.io.Npy;
import dev.infero.core.InferoException;
import dev.infero.core.ResourceLimitException;
import dev.infero.core.ResourceLimits;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.ir.IrWriter;
import dev.infero.onnx.OnnxModelBuilder;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every place a model or a file can ask for memory checks {@link ResourceLimits} first: one
 * {@link ResourceLimitException} naming the tensor and the limit, never an OutOfMemoryError.
 */
class ResourceLimitsTest {
    @TempDir
    Path dir;

    @AfterEach
    void defaults() {
        ResourceLimits.set(null);
    }

    private static void assertNamesTensorAndLimit(ResourceLimitException e, String what) {
        assertTrue(e.getMessage().contains(what), e.getMessage());
        assertTrue(e.getMessage().contains("more than the limit of"), e.getMessage());
        assertTrue(e.getMessage().contains(ResourceLimits.TENSOR_PROPERTY)
                || e.getMessage().contains(ResourceLimits.MODEL_PROPERTY), e.getMessage());
    }

    @Test
    void constantOfShapeOfAHugeShapeIsRefusedWhileLoading() {
        Path file = dir.resolve("cos.onnx");
        OnnxModelBuilder b = new OnnxModelBuilder("cos", 17).input("x", ElementType.F32, 1)
                .initializer("shape", Tensor.vector(100_000, 100_000, 100)).output("y", ElementType.F32);
        b.node("ConstantOfShape", "huge").inputs("shape").outputs("big");
        b.node("Add", "add").inputs("big", "x").outputs("y");
        b.write(file);
        try (Core core = new Core()) {
            ResourceLimitException e = assertThrows(ResourceLimitException.class, () -> core.readModel(file));
            assertNamesTensorAndLimit(e, "'huge'");
            assertTrue(e.getMessage().contains("[100000, 100000, 100]"), e.getMessage());
        }
    }

    @Test
    void rangeOfAHugeLengthIsRefusedWhileLoading() {
        Path file = dir.resolve("range.onnx");
        OnnxModelBuilder b = new OnnxModelBuilder("range", 17).input("x", ElementType.F32, 1)
                .initializer("start", Tensor.scalar(0f)).initializer("limit", Tensor.scalar(2e9f))
                .initializer("delta", Tensor.scalar(1f)).output("y", ElementType.F32);
        b.node("Range", "r").inputs("start", "limit", "delta").outputs("seq");
        b.node("Add", "add").inputs("seq", "x").outputs("y");
        b.write(file);
        ResourceLimits.set(new ResourceLimits(1 << 30, 1L << 31));
        try (Core core = new Core()) {
            ResourceLimitException e = assertThrows(ResourceLimitException.class, () -> core.readModel(file));
            assertNamesTensorAndLimit(e, "'r'");
        }
    }

    @Test
    void anIrParameterWithAHugeShapeIsRefusedNamingTheInput() {
        ResourceLimits.set(new ResourceLimits(Long.MAX_VALUE, Long.MAX_VALUE)); // to build and write it
        Graph g = new Graph("huge_input");
        Node p = g.addParameter("data", ElementType.F32, PartialShape.of(100_000, 100_000, 100));
        g.addResult("out", g.value(new Relu(), "relu", p.output(0)));
        IrWriter.Written ir = IrWriter.write(g, dir, "huge_input");
        ResourceLimits.set(null);
        try (Core core = new Core()) {
            ResourceLimitException e = assertThrows(ResourceLimitException.class, () -> core.readModel(ir.xml()));
            assertNamesTensorAndLimit(e, "input 'data'");
        }
    }

    @Test
    void anOnnxInputWithAHugeShapeIsRefusedNamingTheInput() {
        Path file = dir.resolve("in.onnx");
        OnnxModelBuilder b = new OnnxModelBuilder("in", 17).input("x", ElementType.F32, 100_000, 100_000, 100)
                .output("y", ElementType.F32);
        b.node("Relu", "relu").inputs("x").outputs("y");
        b.write(file);
        try (Core core = new Core()) {
            ResourceLimitException e = assertThrows(ResourceLimitException.class, () -> core.readModel(file));
            assertNamesTensorAndLimit(e, "input 'x'");
        }
    }

    @Test
    void theCpuMemoryPlanIsCheckedAtCompileNotAtTheFirstRequest() {
        Path file = dir.resolve("plan.onnx");
        OnnxModelBuilder b = new OnnxModelBuilder("plan", 17).input("x", ElementType.F32, 1, 512, 512)
                .output("y", ElementType.F32);
        b.node("Relu", "a").inputs("x").outputs("t1");
        b.node("Sigmoid", "b").inputs("t1").outputs("t2");
        b.node("Relu", "c").inputs("t2").outputs("y");
        b.write(file);
        try (Core core = new Core()) {
            Model model = core.readModel(file);
            // 1 MB per tensor: each fits, the plan (at least two live buffers of 1 MB) does not fit 1.5 MB.
            ResourceLimits.set(new ResourceLimits(1 << 20, 3 << 19));
            ResourceLimitException e = assertThrows(ResourceLimitException.class,
                    () -> core.compileModel(model, "CPU"));
            assertTrue(e.getMessage().startsWith("model 'plan'"), e.getMessage());
            assertNamesTensorAndLimit(e, "tensor memory");
            // One tensor over its own limit is named.
            ResourceLimits.set(new ResourceLimits(1 << 19, 1L << 30));
            e = assertThrows(ResourceLimitException.class, () -> core.compileModel(model, "CPU"));
            assertTrue(e.getMessage().contains("tensor '") || e.getMessage().contains("input 'x'"), e.getMessage());
            ResourceLimits.set(null);
            try (CompiledModel compiled = core.compileModel(model, "CPU")) {
                InferRequest r = compiled.createInferRequest();
                r.setInput(0, Tensor.allocate(ElementType.F32, 1, 512, 512));
                r.infer();
                assertArrayEquals(new int[] {1, 512, 512}, r.getOutput(0).shape());
            }
        }
    }

    @Test
    void aShapeComputedFromInputDataIsCheckedBeforeTheRunAllocates() {
        Path file = dir.resolve("dyn.onnx");
        OnnxModelBuilder b = new OnnxModelBuilder("dyn", 17).input("shape", ElementType.I64, 3)
                .output("y", ElementType.F32);
        b.node("ConstantOfShape", "fill").inputs("shape").outputs("y");
        b.write(file);
        try (Core core = new Core(); CompiledModel compiled = core.compileModel(file, "CPU")) {
            InferRequest r = compiled.createInferRequest();
            r.setInput(0, Tensor.vector(2, 3, 4));
            r.infer();
            assertArrayEquals(new int[] {2, 3, 4}, r.getOutput(0).shape());
            r.setInput(0, Tensor.vector(100_000, 100_000, 100));
            InferoException e = assertThrows(InferoException.class, r::infer);
            assertTrue(e instanceof ResourceLimitException, e.toString());
            assertNamesTensorAndLimit((ResourceLimitException) e, "node 'fill'");
        }
    }

    @Test
    void aNpyHeaderDeclaringAHugeArrayIsRefusedBeforeAllocating() throws Exception {
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 100), }";
        header = header + " ".repeat(63 - (10 + header.length()) % 64) + "\n";
        byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
        byte[] bytes = new byte[10 + h.length + 16];
        byte[] magic = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) h.length, 0};
        System.arraycopy(magic, 0, bytes, 0, 10);
        System.arraycopy(h, 0, bytes, 10, h.length);
        Path file = dir.resolve("huge.npy");
        Files.write(file, bytes);
        ResourceLimitException e = assertThrows(ResourceLimitException.class, () -> Npy.read(file));
        assertNamesTensorAndLimit(e, file.toString());
        ResourceLimits.set(new ResourceLimits(8, 1 << 20));
        e = assertThrows(ResourceLimitException.class, () -> Npy.read(file));
        assertNamesTensorAndLimit(e, ".npy file " + file);
    }

    @Test
    void anImageOverThePixelLimitIsSubsampledToTheModelsSizeOrRefused() throws Exception {
        // 12000×9000 = 108 Mpixels, over ImageInput.MAX_PIXELS: decoded every 26th pixel of every 20th row (462×450)
        // for 224×224.
        BufferedImage big = new BufferedImage(12_000, 9_000, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 9_000; y += 100) {
            for (int x = 0; x < 12_000; x++) {
                big.getRaster().setSample(x, y, 0, 200);
            }
        }
        Path file = dir.resolve("big.png");
        ImageIO.write(big, "png", file.toFile());
        big = null;
        assertArrayEquals(new int[] {26, 20}, ImageInput.subsampling(12_000, 9_000, 224, 224));
        // Under the limit, still large enough:
        assertArrayEquals(new int[] {2, 2}, ImageInput.subsampling(12_000, 9_000, 5_000, 4_000));
        // Step 2 would be smaller than the model: decoded whole, so refused.
        assertArrayEquals(new int[] {1, 1}, ImageInput.subsampling(12_000, 9_000, 7_000, 5_000));
        assertArrayEquals(new int[] {1, 1}, ImageInput.subsampling(12_000, 9_000, 0, 0));
        // Under the limit: still decoded at about twice the model's size, each axis on its own.
        assertArrayEquals(new int[] {5, 4}, ImageInput.subsampling(2_560, 1_920, 224, 224));
        assertArrayEquals(new int[] {72, 1}, ImageInput.subsampling(32_662, 150, 224, 224));
        assertArrayEquals(new int[] {1, 1}, ImageInput.subsampling(500, 375, 224, 224));
        Tensor t = ImageInput.load(file, ElementType.F32, PartialShape.of(1, 3, 224, 224),
                ImageInput.Preprocessing.NONE);
        assertArrayEquals(new int[] {1, 3, 224, 224}, t.shape());
        float max = 0;
        for (float v : t.floats()) {
            max = Math.max(max, v);
        }
        assertTrue(max > 0, "the bright rows survive subsampling and resizing");
        ResourceLimitException e = assertThrows(ResourceLimitException.class, () -> ImageInput.read(file));
        assertTrue(e.getMessage().contains("12000×9000 pixels"), e.getMessage());
        e = assertThrows(ResourceLimitException.class, () -> ImageInput.load(file, ElementType.F32,
                PartialShape.of(1, 3, 8000, 8000), ImageInput.Preprocessing.NONE));
        assertTrue(e.getMessage().contains("at least the model's 8000×8000"), e.getMessage());
    }

    @Test
    void limitsComeFromPropertiesWithUnitsAndBadValuesAreNamed() {
        assertEquals(2L << 30, ResourceLimits.parseSize("2G", "x"));
        assertEquals(512L << 20, ResourceLimits.parseSize("512MB", "x"));
        assertEquals(1000, ResourceLimits.parseSize("1000", "x"));
        InferoException e = assertThrows(InferoException.class, () -> ResourceLimits.parseSize("-3", "system "
                + "property infero.maxTensorBytes"));
        assertTrue(e.getMessage().contains("infero.maxTensorBytes is '-3'"), e.getMessage());
        String old = System.getProperty(ResourceLimits.TENSOR_PROPERTY);
        System.setProperty(ResourceLimits.TENSOR_PROPERTY, "64M");
        try {
            assertEquals(64L << 20, ResourceLimits.fromEnvironment().maxTensorBytes());
        } finally {
            if (old == null) {
                System.clearProperty(ResourceLimits.TENSOR_PROPERTY);
            } else {
                System.setProperty(ResourceLimits.TENSOR_PROPERTY, old);
            }
        }
        ResourceLimits d = ResourceLimits.fromEnvironment();
        assertEquals(Runtime.getRuntime().maxMemory() / 2, d.maxTensorBytes());
        assertEquals(Runtime.getRuntime().maxMemory(), d.maxModelBytes());
        assertThrows(IllegalArgumentException.class, () -> new ResourceLimits(0, 1));
    }
}
