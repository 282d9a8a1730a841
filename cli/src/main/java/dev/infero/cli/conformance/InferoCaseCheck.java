package dev.infero.cli.conformance;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.api.Model;
import dev.infero.core.InferoException;
import dev.infero.ir.IrReader;
import dev.infero.ir.IrWriter;
import dev.infero.core.tensor.Tensor;
import dev.infero.onnx.TensorProtos;
import dev.infero.onnx.OnnxImporter;
import dev.infero.onnx.proto.Onnx.OptionalProto;
import dev.infero.onnx.proto.Onnx.TensorProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs an ONNX backend-test case on Infero's CPU device: imports {@code model.onnx}, compiles it, and for every
 * {@code test_data_set_*} binds {@code input_K.pb} to the K-th model input, runs, and compares the K-th output with
 * {@code output_K.pb}. Through IR, the imported model is also written as OpenVINO IR and read back, and that copy
 * must give bit-identical outputs.
 */
public final class InferoCaseCheck implements CaseCheck {
    private final Core core = new Core();
    private final Tolerance tolerance;
    private final boolean throughIr;

    public InferoCaseCheck(Tolerance tolerance, boolean throughIr) {
        this.tolerance = tolerance;
        this.throughIr = throughIr;
    }

    @Override
    public void check(Path caseDir) throws IOException, WrongAnswerException {
        Tolerance tol = Tolerance.forCase(caseDir.getFileName().toString(), tolerance);
        // Import before reading any data: sequence/optional cases fail here as unsupported, cleanly.
        Model model = core.readModel(caseDir.resolve("model.onnx"));
        Model viaIr = throughIr ? roundTrip(model) : null;
        try (CompiledModel compiled = core.compileModel(model, "CPU");
             CompiledModel fromIr = viaIr == null ? null : core.compileModel(viaIr, "CPU")) {
            List<Path> dataSets = dataSets(caseDir);
            if (dataSets.isEmpty()) {
                throw new IOException(caseDir + " has no test_data_set_* folder");
            }
            for (Path set : dataSets) {
                List<Tensor> outputs = runDataSet(compiled, set, tol);
                if (fromIr != null) {
                    List<Tensor> again = runDataSet(fromIr, set, tol);
                    for (int i = 0; i < outputs.size(); i++) {
                        if (!outputs.get(i).contentEquals(again.get(i))) {
                            throw new WrongAnswerException(set.getFileName() + ", output " + i
                                    + ": the IR round trip changed the result");
                        }
                    }
                }
            }
        }
    }

    /** The model written as IR v11 into a temporary folder and read back. */
    private Model roundTrip(Model model) throws IOException {
        Path dir = Files.createTempDirectory("infero-ir-roundtrip");
        try {
            IrWriter.Written w = IrWriter.write(model.graph(), dir, "model");
            return core.model(IrReader.read(w.xml()));
        } finally {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static List<Tensor> runDataSet(CompiledModel compiled, Path set, Tolerance tol)
            throws IOException, WrongAnswerException {
        String where = set.getFileName().toString();
        List<Tensor> inputs = readTensors(set, "input_", optionals(set, true));
        List<Tensor> expected = readTensors(set, "output_", optionals(set, false));
        if (inputs.size() != compiled.inputs().size()) {
            throw new WrongAnswerException(where + " provides " + inputs.size() + " inputs but the imported model has "
                    + compiled.inputs().size());
        }
        if (expected.size() != compiled.outputs().size()) {
            throw new WrongAnswerException(where + " expects " + expected.size() + " outputs but the model has "
                    + compiled.outputs().size());
        }
        InferRequest request = compiled.createInferRequest();
        for (int i = 0; i < inputs.size(); i++) {
            request.setInput(i, inputs.get(i));
        }
        request.infer();
        List<Tensor> outputs = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            Tensor actual = request.getOutput(i);
            if (actual == null) {
                throw new WrongAnswerException(where + ": output " + i + " was not produced");
            }
            String mismatch = OutputComparator.mismatch(expected.get(i), actual, tol);
            if (mismatch != null) {
                throw new WrongAnswerException(where + ", output " + i + " '" + compiled.outputs().get(i).name()
                        + "': " + mismatch);
            }
            outputs.add(actual.copy());
        }
        return outputs;
    }

    private static List<Path> dataSets(Path caseDir) throws IOException {
        try (Stream<Path> s = Files.list(caseDir)) {
            return s.filter(p -> Files.isDirectory(p) && p.getFileName().toString().startsWith("test_data_set_"))
                    .sorted().toList();
        }
    }

    /** Per graph input (or output) of the case's model, whether its data files hold an OptionalProto. */
    private static List<Boolean> optionals(Path set, boolean inputs) {
        var graph = OnnxImporter.parse(set.getParent().resolve("model.onnx")).getGraph();
        return (inputs ? graph.getInputList() : graph.getOutputList()).stream()
                .map(v -> v.getType().hasOptionalType()).toList();
    }

    /**
     * {@code prefix0.pb}, {@code prefix1.pb}, ... up to the first missing index; files of optional-typed ports hold
     * an OptionalProto, whose tensor is the value (an empty one cannot be fed to tensor inputs).
     */
    private static List<Tensor> readTensors(Path set, String prefix, List<Boolean> optional) throws IOException {
        List<Tensor> tensors = new ArrayList<>();
        for (int i = 0; ; i++) {
            Path file = set.resolve(prefix + i + ".pb");
            if (!Files.isRegularFile(file)) {
                return tensors;
            }
            byte[] bytes = Files.readAllBytes(file);
            if (i < optional.size() && optional.get(i)) {
                OptionalProto o = OptionalProto.parseFrom(bytes);
                if (!o.hasTensorValue()) {
                    throw new InferoException(file.getFileName() + " is an empty optional (or a non-tensor one); "
                            + "Infero's inputs and outputs are tensors");
                }
                tensors.add(TensorProtos.toTensor(o.getTensorValue()));
            } else {
                tensors.add(TensorProtos.toTensor(TensorProto.parseFrom(bytes)));
            }
        }
    }
}
