package dev.infero.serve;

import java.util.List;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which of a model repository's numeric version folders are served: OpenVINO Model Server's
 * {@code model_version_policy}, {@code {"latest": {"num_versions": N}}} (default: the latest one),
 * {@code {"specific": {"versions": [1, 3]}}} or {@code {"all": {}}}.
 */
public sealed interface VersionPolicy {
    /** The versions to serve out of those present. */
    NavigableSet<Long> select(NavigableSet<Long> present);

    /** The {@code num_versions} highest versions. */
    record Latest(int numVersions) implements VersionPolicy {
        @Override
        public NavigableSet<Long> select(NavigableSet<Long> present) {
            NavigableSet<Long> out = new TreeSet<>();
            for (Long v : present.descendingSet()) {
                if (out.size() == numVersions) {
                    break;
                }
                out.add(v);
            }
            return out;
        }
    }

    /** Exactly these versions (those present). */
    record Specific(Set<Long> versions) implements VersionPolicy {
        public Specific {
            versions = Set.copyOf(versions);
        }

        @Override
        public NavigableSet<Long> select(NavigableSet<Long> present) {
            NavigableSet<Long> out = new TreeSet<>(present);
            out.retainAll(versions);
            return out;
        }
    }

    /** Every version present. */
    record All() implements VersionPolicy {
        @Override
        public NavigableSet<Long> select(NavigableSet<Long> present) {
            return new TreeSet<>(present);
        }
    }

    /** The default: the latest version. */
    static VersionPolicy latest() {
        return new Latest(1);
    }

    /** For logs and docs: the policy in config.json form. */
    static String describe(VersionPolicy p) {
        return switch (p) {
            case Latest l -> "{\"latest\": {\"num_versions\": " + l.numVersions() + "}}";
            case Specific s -> "{\"specific\": {\"versions\": " + List.copyOf(new TreeSet<>(s.versions())) + "}}";
            case All a -> "{\"all\": {}}";
        };
    }
}
