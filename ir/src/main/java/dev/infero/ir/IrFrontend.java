package dev.infero.ir;

import dev.infero.core.frontend.ModelFrontend;
import dev.infero.core.frontend.ModelSource;
import dev.infero.core.graph.Graph;
import dev.infero.core.op.OpFactories;
import dev.infero.core.op.OpRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** OpenVINO IR: an {@code .xml} topology with its {@code .bin} weights beside it. */
public final class IrFrontend implements ModelFrontend {
    /** The ops layers are built with: the standard table, built once per frontend and only read after. */
    private final OpFactories ops = OpRegistry.standard();

    @Override
    public String name() {
        return "ir";
    }

    @Override
    public List<String> aliases() {
        return List.of("openvino");
    }

    @Override
    public boolean accepts(ModelSource source) {
        if (source.isDirectory()) {
            return false;
        }
        if (source.fileName().endsWith(".xml")) {
            return true;
        }
        String head = new String(source.head(), StandardCharsets.ISO_8859_1).stripLeading();
        return head.startsWith("<?xml") || head.startsWith("<net");
    }

    @Override
    public Graph read(ModelSource source) {
        return IrReader.read(source.model(), ops);
    }
}
