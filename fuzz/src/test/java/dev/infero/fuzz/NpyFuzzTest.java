package dev.infero.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.infero.api.io.Npy;

/** Fuzzes the {@code .npy} reader ({@code api.io.Npy}): header dictionary, dtype, shape and data size. */
class NpyFuzzTest {
    @FuzzTest
    void fuzz(byte[] data) {
        Fuzz.expectCleanRefusal(() -> Npy.read(data, "fuzz.npy"));
    }
}
