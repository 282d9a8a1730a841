package dev.infero.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infero.cpu.parallel.WorkerPool;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The INT8 fully connected layer's accumulators equal a long-integer reference exactly, on both paths (byte codes
 * for fewer than {@link QuantizedMatMulKernel#MIN_GEMM_ROWS} rows, packed GEMM otherwise): unsigned and signed
 * activation codes, random shapes with rows 1..9, odd depths and columns, depths up to 4096 with extreme codes whose
 * sums pass 2^24 (int32 lanes / spill blocks).
 */
class QuantizedMatMulKernelTest {
    @ParameterizedTest(name = "{0}x{1} · {1}x{2} signed {3} extreme {4}")
    @CsvSource({
            "1, 2048, 1000, false, false",
            "1, 2048, 37, false, true",
            "2, 4096, 13, true, true",
            "3, 1, 5, false, false",
            "1, 31, 7, true, false",
            "1, 77, 3, false, true",
            "4, 300, 17, false, false",
            "5, 4096, 11, false, true",
            "7, 513, 29, true, false",
            "9, 2049, 6, true, true",
            "8, 9, 1, false, false",
    })
    void accumulatorsAreExactIntegers(int m, int k, int n, boolean signed, boolean extreme) {
        Random r = new Random(m * 131L + k * 7L + n);
        ActivationQuantizer q = signed ? KernelProperties.SIGNED : KernelProperties.UNSIGNED;
        float[] x = KernelProperties.activationCodes(r, m * k, signed, extreme);
        float[] codes = KernelProperties.weightCodes(r, n * k, -128, extreme);
        byte[] w = new byte[n * k];
        for (int i = 0; i < w.length; i++) {
            w[i] = (byte) codes[i];
        }
        QuantizedMatMulKernel kernel = new QuantizedMatMulKernel(m, k, n, w, q, PostOps.NONE);
        assertEquals(m < QuantizedMatMulKernel.MIN_GEMM_ROWS, kernel.isGemv());
        if (!kernel.isGemv()) {
            assertEquals(extreme && (long) k * 128 * q.maxAbsCode() >= 1 << 24, kernel.spills());
        }
        float[] y = new float[m * n];
        try (WorkerPool pool = new WorkerPool(2, "t")) {
            QuantizedMatMulKernel.Scratch s = kernel.newScratch(2);
            kernel.run(x, y, s, pool);
            java.util.Arrays.fill(y, Float.NaN);
            kernel.run(x, y, s, pool); // a second run on the same scratch: nothing carried over
        }
        for (int row = 0; row < m; row++) {
            for (int col = 0; col < n; col++) {
                long sum = 0;
                for (int p = 0; p < k; p++) {
                    sum += (long) x[row * k + p] * w[col * k + p];
                }
                assertEquals((float) sum, y[row * n + col], "[" + row + ", " + col + "] exact " + sum);
            }
        }
    }
}
