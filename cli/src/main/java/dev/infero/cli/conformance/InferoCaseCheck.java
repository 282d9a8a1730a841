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
import dev.infero.core.ops.sequence.PackedSequence;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.proto.Onnx.GraphProto;
import dev.infero.onnx.proto.Onnx.OptionalProto;
import dev.infero.onnx.proto.Onnx.SequenceProto;
import dev.infero.onnx.proto.Onnx.TypeProto;
import dev.infero.onnx.proto.Onnx.ValueInfoProto;
import dev.infero.onnx.proto.Onnx.TensorProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
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
        // Import before reading any data: unsupported cases fail here, cleanly.
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
        GraphProto graph = OnnxImporter.parse(set.getParent().resolve("model.onnx")).getGraph();
        Set<String> initializers = new HashSet<>();
        graph.getInitializerList().forEach(t -> initializers.add(t.getName()));
        List<ValueInfoProto> inputPorts = graph.getInputList().stream()
                .filter(v -> !initializers.contains(v.getName())).toList();
        List<Value> inputs = readValues(set, "input_", inputPorts);
        List<Value> expected = readValues(set, "output_", graph.getOutputList());
        int ports = inputs.stream().mapToInt(v -> v.sequence() ? 2 : 1).sum();
        if (inputs.size() != inputPorts.size() || ports != compiled.inputs().size()) {
            throw new WrongAnswerException(where + " provides " + inputs.size() + " inputs but the imported model has "
                    + compiled.inputs().size() + " input ports for " + inputPorts.size() + " ONNX inputs");
        }
        int outPorts = expected.stream().mapToInt(v -> v.sequence() ? 2 : 1).sum();
        if (expected.size() != graph.getOutputCount() || outPorts != compiled.outputs().size()) {
            throw new WrongAnswerException(where + " expects " + expected.size() + " outputs but the model has "
                    + graph.getOutputCount() + " (" + compiled.outputs().size() + " output ports)");
        }
        // Ports by position (names may change through IR): a sequence is two, its packed data and shapes.
        InferRequest request = compiled.createInferRequest();
        int port = 0;
        for (Value in : inputs) {
            if (in.sequence()) {
                Tensor[] packed = PackedSequence.pack(in.type(), in.tensors());
                request.setInput(port++, packed[0]);
                request.setInput(port++, packed[1]);
            } else {
                request.setInput(port++, in.tensors().get(0));
            }
        }
        request.infer();
        List<Tensor> outputs = new ArrayList<>();
        port = 0;
        for (int i = 0; i < expected.size(); i++) {
            String name = graph.getOutput(i).getName();
            Value want = expected.get(i);
            List<Tensor> actual;
            if (want.sequence()) {
                Tensor data = port + 1 < compiled.outputs().size() ? request.getOutput(port) : null;
                Tensor shapes = data == null ? null : request.getOutput(port + 1);
                port += 2;
                if (data == null || shapes == null) {
                    throw new WrongAnswerException(where + ": sequence output " + i + " '" + name
                            + "' was not produced");
                }
                actual = PackedSequence.unpack(data, shapes);
                if (actual.size() != want.tensors().size()) {
                    throw new WrongAnswerException(where + ", output " + i + " '" + name + "': a sequence of "
                            + actual.size() + " tensors, expected " + want.tensors().size());
                }
            } else {
                Tensor t = port < compiled.outputs().size() ? request.getOutput(port) : null;
                port++;
                if (t == null) {
                    throw new WrongAnswerException(where + ": output " + i + " was not produced");
                }
                actual = List.of(t);
            }
            for (int k = 0; k < actual.size(); k++) {
                String mismatch = OutputComparator.mismatch(want.tensors().get(k), actual.get(k), tol);
                if (mismatch != null) {
                    throw new WrongAnswerException(where + ", output " + i + " '" + name + "'"
                            + (want.sequence() ? " item " + k : "") + ": " + mismatch);
                }
                outputs.add(actual.get(k).copy());
            }
        }
        return outputs;
    }

    /** A test-data value: one tensor, or the items of a sequence (of {@code type}). */
    private record Value(boolean sequence, ElementType type, List<Tensor> tensors) {
    }

    private static List<Path> dataSets(Path caseDir) throws IOException {
        try (Stream<Path> s = Files.list(caseDir)) {
            return s.filter(p -> Files.isDirectory(p) && p.getFileName().toString().startsWith("test_data_set_"))
                    .sorted().toList();
        }
    }

    /**
     * {@code prefix0.pb}, {@code prefix1.pb}, ... up to the first missing index, one per port: a TensorProto, a
     * SequenceProto for a sequence-typed port, an OptionalProto for an optional one (whose value is used: an empty
     * optional cannot be fed, as Infero treats optional ports as present).
     */
    private static List<Value> readValues(Path set, String prefix, List<ValueInfoProto> ports) throws IOException {
        List<Value> values = new ArrayList<>();
        for (int i = 0; ; i++) {
            Path file = set.resolve(prefix + i + ".pb");
            if (!Files.isRegularFile(file)) {
                return values;
            }
            byte[] bytes = Files.readAllBytes(file);
            TypeProto type = i < ports.size() ? ports.get(i).getType() : TypeProto.getDefaultInstance();
            if (type.hasOptionalType()) {
                OptionalProto o = OptionalProto.parseFrom(bytes);
                if (o.hasTensorValue()) {
                    values.add(tensor(TensorProtos.toTensor(o.getTensorValue())));
                } else if (o.hasSequenceValue()) {
                    values.add(sequence(o.getSequenceValue(), type, file));
                } else {
                    throw new InferoException(file.getFileName() + " is an empty optional; Infero treats optional "
                            + "inputs and outputs as present");
                }
            } else if (type.hasSequenceType()) {
                values.add(sequence(SequenceProto.parseFrom(bytes), type, file));
            } else {
                values.add(tensor(TensorProtos.toTensor(TensorProto.parseFrom(bytes))));
            }
        }
    }

    private static Value tensor(Tensor t) {
        return new Value(false, t.type(), List.of(t));
    }

    private static Value sequence(SequenceProto seq, TypeProto port, Path file) {
        if (seq.getSequenceValuesCount() > 0 || seq.getOptionalValuesCount() > 0) {
            throw new InferoException(file.getFileName() + " is a sequence of sequences or optionals; Infero's "
                    + "sequences hold tensors");
        }
        List<Tensor> items = new ArrayList<>();
        seq.getTensorValuesList().forEach(t -> items.add(TensorProtos.toTensor(t)));
        TypeProto.Tensor declared = OnnxImporter.sequenceItemType(port);
        ElementType type = !items.isEmpty() ? items.get(0).type()
                : TensorProtos.elementType(declared != null ? declared.getElemType() : 1, file.getFileName().toString());
        return new Value(true, type, items);
    }
}
