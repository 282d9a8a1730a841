package dev.infero.accuracy;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.Model;
import dev.infero.api.io.ImageInput;
import dev.infero.core.InferoException;
import dev.infero.core.device.PortInfo;
import dev.infero.core.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The {@code model_predictions} converter: a dataset without annotations (e.g. a folder of face photos) annotated by a
 * reference model's own predictions, as POT's {@code annotation_free} mode does: {@code model} (the FP32 model),
 * {@code adapter} (as in a launcher) and optionally {@code min_score} (detections below it are not annotations).
 * Metrics then measure how far another model (FP16, INT8) is from the reference: landmark NME, detection mAP/recall.
 */
final class ReferenceAnnotations {
    private ReferenceAnnotations() {
    }

    static Dataset convert(String name, ConfigNode c, Path dataSource, Preprocessor pre, int subsample) {
        c.only("converter", "model", "adapter", "min_score");
        Path model = c.file("model", true);
        Adapter adapter = Adapters.create(c);
        double minScore = c.number("min_score", 0.5);
        if (dataSource == null) {
            throw new AccuracyConfigException(c.path().replace(".annotation_conversion", ".data_source")
                    + ": missing (the images the reference model annotates)");
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(dataSource)) {
            files = s.filter(Files::isRegularFile).filter(Converters::isImage).sorted().toList();
        } catch (IOException e) {
            throw new AccuracyConfigException(c.path() + ": cannot list " + dataSource + ": " + e.getMessage());
        }
        if (files.isEmpty()) {
            throw new AccuracyConfigException(c.path() + ": no images in " + dataSource);
        }
        List<Sample> unannotated = new ArrayList<>();
        for (Path f : files) {
            unannotated.add(new Sample(dataSource.relativize(f).toString(), () -> ImageInput.Planes.read(f), null));
        }
        List<Sample> picked = new Dataset(name, unannotated, List.of()).subsample(subsample).samples();
        List<Sample> samples = new ArrayList<>(picked.size());
        try (Core core = new Core()) {
            Model m = core.readModel(model);
            if (m.inputs().size() != 1) {
                throw new AccuracyConfigException(c.at("model") + ": " + model + " has " + m.inputs().size()
                        + " inputs; the reference model takes one image");
            }
            PortInfo input = m.inputs().getFirst();
            List<String> names = m.outputs().stream().map(PortInfo::name).toList();
            try (CompiledModel compiled = core.compileModel(m, "CPU")) {
                var request = compiled.createInferRequest();
                for (Sample s : picked) {
                    Preprocessor.Prepared p;
                    try {
                        p = pre.apply(s.image().get(), input.type(), input.shape());
                    } catch (InferoException e) {
                        throw new InferoException(c.path() + ": sample " + s.id() + ": " + e.getMessage(), e);
                    }
                    request.setInput(0, p.input());
                    request.infer();
                    List<Tensor> outs = new ArrayList<>();
                    for (int o = 0; o < names.size(); o++) {
                        outs.add(request.getOutput(o));
                    }
                    Annotation a = switch (adapter.process(names, outs, p.geometry())) {
                        case Prediction.Scores sc -> new Annotation.Label(argmax(sc.scores()));
                        case Prediction.Detections d -> new Annotation.Boxes(d.boxes().stream()
                                .filter(b -> b.score() >= minScore)
                                .map(b -> Box.truth(b.label(), b.xmin(), b.ymin(), b.xmax(), b.ymax())).toList());
                        case Prediction.Points pt -> new Annotation.Points(pt.xy());
                        case Prediction.Embedding e -> throw new AccuracyConfigException(c.at("adapter")
                                + ": embeddings cannot serve as annotations");
                    };
                    Sample annotated = s;
                    samples.add(new Sample(annotated.id(), annotated.image(), a));
                }
            }
        }
        return new Dataset(name, samples, List.of());
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            best = v[i] > v[best] ? i : best;
        }
        return best;
    }
}
