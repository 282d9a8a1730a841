package dev.infero.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.device.Executable;
import dev.infero.core.device.PortInfo;
import dev.infero.core.frontend.ModelSource;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.testing.SharedData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every shared model that is not an ONNX file (the IR and the frameworks/ models) runs on device ORT as its ONNX
 * export and gives what Infero's CPU device gives on the same random input (skipped when ../shared is absent).
 * Tolerance 1e-3 of max(1, the output's largest magnitude): the two sides sum in different orders in f32 through up
 * to 50 layers (MobileFaceNet), and ORT folds BatchNorm and the TF model's dequantized uint8 weights in its own
 * order; a wrong mapping moves outputs by far more (a wrong pooling or slope changes whole channels).
 */
class ExportedModelsOrtTest {
    private static final double TOLERANCE = 1e-3;

    @ParameterizedTest
    @ValueSource(strings = {
        "ir/squeezenet1.1/squeezenet1.1.xml",
        // MTCNN: the published det2/det3 prototxts are swapped (det2.prototxt is O-Net), so each is paired by hand.
        "caffe:det1.prototxt:det1.caffemodel:data[1,3,48,64]",
        "caffe:det3.prototxt:det2.caffemodel:",
        "caffe:det2.prototxt:det3.caffemodel:",
        "frameworks/caffe/lenet-mnist/lenet.prototxt",
        // The frozen graph alone (no pbtxt priors): the raw SSD heads.
        "frameworks/tensorflow/opencv_face_detector_uint8.pb:data[1,300,300,3]",
        "frameworks/tflite/face_landmark.tflite",
        "frameworks/mxnet/mobilefacenet/model-symbol.json:data[1,3,112,112]"})
    void exportedModelMatchesTheCpuDevice(String spec) {
        try (Core core = new Core()) {
            Model model;
            String shape;
            if (spec.startsWith("caffe:")) {
                String[] p = spec.split(":", -1);
                Path dir = SharedData.require("models/frameworks/caffe/mtcnn");
                model = core.readModel(new ModelSource(dir.resolve(p[2]), dir.resolve(p[1]), null, null));
                shape = p[3];
            } else {
                String[] p = spec.split(":", 2);
                model = core.readModel(SharedData.require("models/" + p[0]));
                shape = p.length > 1 ? p[1] : "";
            }
            if (!shape.isEmpty()) {
                int open = shape.indexOf('[');
                String[] dims = shape.substring(open + 1, shape.length() - 1).split(",");
                int[] d = new int[dims.length];
                for (int i = 0; i < d.length; i++) {
                    d[i] = Integer.parseInt(dims[i]);
                }
                model.reshape(shape.substring(0, open), PartialShape.of(d));
            }
            try (CompiledModel cpu = core.compileModel(model, "CPU"); CompiledModel ort = core.compileModel(model, "ORT")) {
                assertEquals("the model exported to ONNX opset 18", ort.property(Executable.EXECUTED_MODEL));
                Random random = new Random(spec.hashCode());
                InferRequest a = cpu.createInferRequest();
                InferRequest b = ort.createInferRequest();
                for (int i = 0; i < cpu.inputs().size(); i++) {
                    PortInfo port = cpu.inputs().get(i);
                    int[] s = port.shape().toArray();
                    float[] data = new float[Tensor.allocate(port.type(), s).size()];
                    for (int k = 0; k < data.length; k++) {
                        data[k] = random.nextFloat() * 2 - 1;
                    }
                    a.setInput(i, Tensor.of(data, s));
                    b.setInput(i, Tensor.of(data, s));
                }
                a.infer();
                b.infer();
                List<String> report = new ArrayList<>();
                for (int i = 0; i < cpu.outputs().size(); i++) {
                    Tensor ours = a.getOutput(i);
                    Tensor ref = b.getOutput(i);
                    assertEquals(ref.describe(), ours.describe(), "output " + i + " type and shape");
                    double scale = 1;
                    for (int k = 0; k < ref.size(); k++) {
                        scale = Math.max(scale, Math.abs(ref.getDouble(k)));
                    }
                    double worst = 0;
                    for (int k = 0; k < ref.size(); k++) {
                        worst = Math.max(worst, Math.abs(ours.getDouble(k) - ref.getDouble(k)) / scale);
                    }
                    report.add(cpu.outputs().get(i).name() + " " + worst);
                    assertTrue(worst <= TOLERANCE, spec + ": output " + report.getLast());
                }
            }
        }
    }
}
