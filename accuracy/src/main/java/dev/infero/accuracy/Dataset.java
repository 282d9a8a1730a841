package dev.infero.accuracy;

import java.util.List;

/**
 * Annotated samples, as a converter produced them.
 *
 * @param classes class names when the converter knows them (index = label), else empty
 */
public record Dataset(String name, List<Sample> samples, List<String> classes) {
    /** The first {@code n} samples spread over the whole set (every k-th), or all when {@code n} is 0 or larger. */
    public Dataset subsample(int n) {
        if (n <= 0 || n >= samples.size()) {
            return this;
        }
        List<Sample> picked = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            picked.add(samples.get((int) ((long) i * samples.size() / n)));
        }
        return new Dataset(name, List.copyOf(picked), classes);
    }
}
