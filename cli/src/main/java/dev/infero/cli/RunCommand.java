package dev.infero.cli;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.api.Model;
import dev.infero.api.io.ImageInput;
import dev.infero.api.io.ImageOptions;
import dev.infero.api.io.Npy;
import dev.infero.cli.io.TensorText;
import dev.infero.core.InferoException;
import dev.infero.core.OutputFolder;
import dev.infero.core.device.PortInfo;
import dev.infero.core.ops.sequence.PackedSequence;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code infero run MODEL}: one model on given or random inputs, with output statistics and timing. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run a model on the CPU and show each output's type, shape and statistics, and the timing.",
            "Inputs come from images or .npy files (by order, or NAME=FILE); inputs not given get seeded random "
                + "data (floats uniform in [0,1), integers in [0,10), booleans 0/1; dynamic dimensions are 1)."})
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "Model file (.onnx or OpenVINO IR .xml).")
    Path model;

    @Option(names = {"-i", "--input", "--input-file"}, paramLabel = "[NAME=]FILE",
            description = {"An image (PNG/JPEG/BMP) or .npy file for the next input, or for input NAME. Repeatable.",
                "A sequence input takes its items as a comma-separated list of .npy files (NAME= for none); "
                    + "a sequence output is written item by item (NAME_0.npy, ...)."})
    List<String> inputs = new ArrayList<>();

    @Option(names = "--output-dir", paramLabel = "DIR", description = "Write each output to DIR/<output name>.npy (bf16 as f32).")
    Path outputDir;

    @Option(names = "--print-outputs", description = "Print output values (abbreviated like numpy for big tensors).")
    boolean printOutputs;

    @Mixin
    ImageOptions image = new ImageOptions();

    private ImageInput.Preprocessing preprocessing;

    @Option(names = "-n", paramLabel = "N", defaultValue = "1",
            description = "Inference iterations; the median time is reported (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of the random inputs (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        if (iterations < 1) {
            throw new InferoException("-n must be at least 1, got " + iterations);
        }
        preprocessing = image.preprocessing();
        PrintWriter out = spec.commandLine().getOut();
        try (Core core = new Core()) {
            long t0 = System.nanoTime();
            Model m = core.readModel(model);
            long t1 = System.nanoTime();
            Tensor[] feeds = bindInputs(m.inputs(), out);
            long t2 = System.nanoTime();
            try (CompiledModel compiled = core.compileModel(m, "CPU")) {
                long t3 = System.nanoTime();
                InferRequest request = compiled.createInferRequest();
                for (int i = 0; i < feeds.length; i++) {
                    request.setInput(i, feeds[i]);
                }
                double[] times = new double[iterations];
                for (int i = 0; i < iterations; i++) {
                    long s = System.nanoTime();
                    request.infer();
                    times[i] = (System.nanoTime() - s) / 1e6;
                }
                report(compiled.outputs(), request, out);
                Arrays.sort(times);
                out.printf(Locale.ROOT, "Read: %.1f ms, compile: %.1f ms%n", (t1 - t0) / 1e6, (t3 - t2) / 1e6);
                out.printf(Locale.ROOT, "Inference: median %.3f ms, min %.3f ms over %d run%s%n",
                        times[iterations / 2], times[0], iterations, iterations == 1 ? "" : "s");
            }
        }
        return 0;
    }

    /**
     * A tensor for every model input: from the files given, else random. A sequence input (ports {@code S} and
     * {@code S:sequence_shapes}, see {@link PackedSequence}) takes its items as a comma-separated list of .npy files
     * ({@code S=a.npy,b.npy}; {@code S=} is the empty sequence) and is packed into its two ports; given its shapes port
     * too, both are read as plain tensors.
     */
    private Tensor[] bindInputs(List<PortInfo> ports, PrintWriter out) {
        String[] given = new String[ports.size()];
        List<String> names = ports.stream().map(PortInfo::name).toList();
        int next = 0;
        for (String spec : inputs) {
            int eq = spec.indexOf('=');
            if (eq > 0 && (names.contains(spec.substring(0, eq)) || !java.nio.file.Files.exists(Path.of(spec)))) {
                bind(given, names, spec.substring(0, eq), spec.substring(eq + 1));
                continue;
            }
            while (next < given.length && (given[next] != null || isShapesPort(names, next))) {
                next++;
            }
            if (next == given.length) {
                throw new InferoException("too many inputs given: the model has " + given.length + " " + names);
            }
            given[next] = spec;
        }
        Random random = new Random(seed);
        Tensor[] tensors = new Tensor[ports.size()];
        for (int i = 0; i < tensors.length; i++) {
            PortInfo p = ports.get(i);
            int shapes = names.indexOf(p.name() + PackedSequence.SHAPES_SUFFIX);
            if (isShapesPort(names, i) && given[i] == null) {
                continue; // packed with its sequence's data
            }
            if (shapes >= 0 && given[shapes] == null) {
                if (given[i] == null) {
                    throw new InferoException("input '" + p.name() + "' is a sequence: give its items as .npy files, "
                            + "-i '" + p.name() + "=item0.npy,item1.npy' ('" + p.name() + "=' for an empty one)");
                }
                List<Tensor> items = new ArrayList<>();
                for (String file : given[i].split(",", -1)) {
                    if (!file.isBlank()) {
                        items.add(load(p, Path.of(file.strip()), true));
                    }
                }
                Tensor[] packed = PackedSequence.pack(p.type(), items);
                tensors[i] = packed[0];
                tensors[shapes] = packed[1];
                out.println("Input '" + p.name() + "': sequence of " + items.size() + " " + p.type() + " tensors "
                        + items.stream().map(t -> Arrays.toString(t.shape())).toList() + " from " + given[i]);
            } else if (given[i] == null) {
                tensors[i] = randomInput(p, random);
                out.println("Input '" + p.name() + "': random " + tensors[i].describe() + " " + range(p.type())
                        + " (seed " + seed + ")");
            } else {
                tensors[i] = load(p, Path.of(given[i]), false);
                out.println("Input '" + p.name() + "': " + tensors[i].describe() + " from " + given[i]);
            }
        }
        return tensors;
    }

    private static boolean isShapesPort(List<String> names, int i) {
        String name = names.get(i);
        return name.endsWith(PackedSequence.SHAPES_SUFFIX)
                && names.contains(name.substring(0, name.length() - PackedSequence.SHAPES_SUFFIX.length()));
    }

    private static void bind(String[] given, List<String> names, String name, String file) {
        int index = names.indexOf(name);
        if (index < 0) {
            throw new InferoException("the model has no input named '" + name + "'; its inputs are " + names);
        }
        if (given[index] != null) {
            throw new InferoException("input '" + name + "' is given twice");
        }
        given[index] = file;
    }

    /** {@code item}: one item of a sequence input, whose port's shape (the packed elements) does not apply. */
    private Tensor load(PortInfo port, Path file, boolean item) {
        if (item && !file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npy")) {
            throw new InferoException("the items of sequence input '" + port.name() + "' are .npy files, not " + file);
        }
        if (!file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npy")) {
            return ImageInput.load(file, port.type(), port.shape(), preprocessing);
        }
        Tensor t = Npy.read(file);
        if (t.type() != port.type()) {
            throw new InferoException("input '" + port.name() + "' expects " + port.type() + " data but " + file
                    + " holds " + t.type() + " (convert it, e.g. with numpy's astype)");
        }
        if (!item && !port.shape().accepts(t.shape())) {
            throw new InferoException("input '" + port.name() + "' expects shape " + port.shape() + " but " + file
                    + " holds " + t.describe());
        }
        return t;
    }

    private static Tensor randomInput(PortInfo port, Random random) {
        PartialShape shape = port.shape();
        if (!shape.hasRank()) {
            throw new InferoException("input '" + port.name() + "' has unknown rank; give its data with -i or "
                    + "--input-file");
        }
        int[] dims = shape.dimsOrDynamic();
        for (int i = 0; i < dims.length; i++) {
            dims[i] = dims[i] == PartialShape.DYNAMIC ? 1 : dims[i];
        }
        Tensor t = Tensor.allocate(port.type(), dims);
        for (int i = 0; i < t.size(); i++) {
            if (port.type().isFloating()) {
                t.setDouble(i, random.nextFloat());
            } else {
                t.setLong(i, random.nextInt(port.type() == ElementType.BOOLEAN ? 2 : 10));
            }
        }
        return t;
    }

    private static String range(ElementType type) {
        return type.isFloating() ? "uniform in [0, 1)" : type == ElementType.BOOLEAN ? "of 0/1" : "uniform in [0, 10)";
    }

    private void report(List<PortInfo> ports, InferRequest request, PrintWriter out) {
        if (outputDir != null) {
            OutputFolder.prepare(outputDir, "--output-dir");
        }
        List<String> names = ports.stream().map(PortInfo::name).toList();
        for (int i = 0; i < ports.size(); i++) {
            String name = ports.get(i).name();
            int shapes = names.indexOf(name + PackedSequence.SHAPES_SUFFIX);
            if (isShapesPort(names, i)) {
                continue; // reported with its sequence
            }
            if (shapes >= 0) {
                List<Tensor> items = PackedSequence.unpack(request.getOutput(i), request.getOutput(shapes));
                out.println("Output '" + name + "': sequence of " + items.size() + " tensors");
                for (int k = 0; k < items.size(); k++) {
                    report(name + "[" + k + "]", name + "_" + k, items.get(k), out);
                }
                continue;
            }
            report(name, name, request.getOutput(i), out);
        }
    }

    /** One output tensor, or item {@code k} of a sequence output ({@code NAME[k]}, written as {@code NAME_k.npy}). */
    private void report(String label, String fileBase, Tensor t, PrintWriter out) {
        out.println("Output '" + label + "': " + t.describe() + " " + TensorText.stats(t));
        if (printOutputs) {
            out.println(TensorText.format(t));
        }
        if (outputDir != null) {
            Path file = outputDir.resolve(fileName(fileBase) + ".npy");
            Npy.write(file, t.type() == ElementType.BF16 ? t.convertTo(ElementType.F32) : t);
            out.println("  written to " + file);
        }
    }

    /** Output names may hold '/', ':' and other characters that cannot be in a file name. */
    static String fileName(String outputName) {
        String s = outputName.replaceAll("[^A-Za-z0-9._-]", "_");
        return s.isEmpty() || s.startsWith(".") ? "output" + s : s;
    }
}
