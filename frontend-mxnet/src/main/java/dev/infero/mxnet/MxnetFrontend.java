package dev.infero.mxnet;

import dev.infero.core.InferoException;
import dev.infero.core.frontend.ModelFrontend;
import dev.infero.core.frontend.ModelSource;
import dev.infero.core.graph.Graph;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * MXNet models: {@code prefix-NNNN.params} with {@code prefix-symbol.json} ({@code --input_symbol}, else found beside
 * it), or the {@code -symbol.json} with the params beside it. A params file is recognised by the NDArray list magic.
 */
public final class MxnetFrontend implements ModelFrontend {
    @Override
    public String name() {
        return "mxnet";
    }

    @Override
    public boolean accepts(ModelSource source) {
        if (source.isDirectory()) {
            return false;
        }
        String name = source.fileName();
        if (name.endsWith("-symbol.json") || source.symbol() != null) {
            return true;
        }
        byte[] head = source.head();
        return head.length >= 8 && ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getLong(0) == MxnetParams.LIST_MAGIC;
    }

    @Override
    public Graph read(ModelSource source) {
        Path model = source.model();
        String name = model.getFileName().toString();
        if (name.endsWith(".json")) {
            Path params = source.symbol() != null && !source.symbol().toString().endsWith(".json") ? source.symbol()
                    : paramsBeside(model);
            return MxnetImporter.read(model, params);
        }
        Path symbol = source.symbol() != null ? source.symbol() : symbolBeside(model);
        return MxnetImporter.read(symbol, model);
    }

    /** {@code prefix-symbol.json} for {@code prefix-0000.params}. */
    static Path symbolBeside(Path params) {
        String file = params.getFileName().toString();
        String prefix = file.replaceFirst("(-\\d+)?\\.params$", "");
        Path symbol = params.resolveSibling(prefix + "-symbol.json");
        if (!Files.isRegularFile(symbol)) {
            throw new InferoException("cannot find the symbol of MXNet params " + params + ": " + symbol.getFileName()
                    + " is not beside it; name it with --input_symbol");
        }
        return symbol;
    }

    /** The one {@code prefix-NNNN.params} beside {@code prefix-symbol.json}. */
    static Path paramsBeside(Path symbol) {
        String prefix = symbol.getFileName().toString().replaceFirst("-symbol\\.json$", "").replaceFirst("\\.json$", "");
        Path dir = symbol.toAbsolutePath().getParent();
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> candidates = files.filter(p -> p.getFileName().toString().matches(
                    java.util.regex.Pattern.quote(prefix) + "(-\\d+)?\\.params")).sorted().toList();
            if (candidates.isEmpty()) {
                throw new InferoException("cannot find the params of MXNet symbol " + symbol + ": no " + prefix
                        + "-NNNN.params beside it");
            }
            return candidates.get(candidates.size() - 1);
        } catch (IOException e) {
            throw new InferoException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
