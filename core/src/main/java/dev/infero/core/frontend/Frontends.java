package dev.infero.core.frontend;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Graph;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/** The frontends on the class path, and the choice of one for a model: by {@code --framework}, else by content. */
public final class Frontends {
    private final List<ModelFrontend> frontends;

    /** The frontends that {@link ServiceLoader} finds. */
    public Frontends() {
        this(ServiceLoader.load(ModelFrontend.class).stream().map(ServiceLoader.Provider::get).toList());
    }

    public Frontends(List<ModelFrontend> frontends) {
        this.frontends = List.copyOf(frontends);
    }

    public List<ModelFrontend> all() {
        return frontends;
    }

    /** Names of the frameworks that can be read, for messages and {@code --help}. */
    public List<String> names() {
        return frontends.stream().map(ModelFrontend::name).toList();
    }

    /** The frontend for {@code source}; an error naming the file and the known formats when there is none. */
    public ModelFrontend select(ModelSource source) {
        if (!Files.exists(source.model())) {
            throw new InferoException("model file " + source.model() + " does not exist");
        }
        if (source.framework() != null) {
            for (ModelFrontend f : frontends) {
                if (f.name().equals(source.framework()) || f.aliases().contains(source.framework())) {
                    return f;
                }
            }
            throw new InferoException("--framework '" + source.framework() + "' is not one of " + String.join(", ", names()));
        }
        List<ModelFrontend> matching = new ArrayList<>();
        for (ModelFrontend f : frontends) {
            if (f.accepts(source)) {
                matching.add(f);
            }
        }
        if (matching.isEmpty()) {
            throw new InferoException("cannot read " + source.model() + ": not a model format Infero knows ("
                    + String.join(", ", names()) + "); name one with --framework");
        }
        if (matching.size() > 1) {
            // Content sniffing is unambiguous for every format but protobufs, whose frontends also check the name.
            throw new InferoException("cannot tell the format of " + source.model() + ": it looks like "
                    + matching.stream().map(ModelFrontend::name).collect(Collectors.joining(" and "))
                    + "; name one with --framework");
        }
        return matching.get(0);
    }

    /** Selects the frontend and reads the model. */
    public Graph read(ModelSource source) {
        return select(source).read(source);
    }
}
