package dev.infero.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infero.testing.RandomData;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The blocked, packed GEMM agrees with the textbook triple loop on awkward shapes. */
class SgemmTest {
    @ParameterizedTest(name = "{0}x{1}x{2}")
    @CsvSource({"1,1,1", "6,32,1", "7,33,5", "13,17,300", "64,64,64", "100,3,513", "3,100,7", "150,70,260",
            "1,1000,64", "257,31,9"})
    void matchesTheNaiveProduct(int m, int n, int k) {
        Random r = new Random(m * 31L + n * 17L + k);
        int lda = k + 3;
        int ldb = n + 1;
        int ldc = n + 2;
        float[] a = RandomData.uniform(r, m * lda + 5);
        float[] b = RandomData.uniform(r, k * ldb + 5);
        float[] c = RandomData.uniform(r, m * ldc + 5);
        float[] expected = c.clone();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = expected[2 + i * ldc + j];
                for (int p = 0; p < k; p++) {
                    s += (double) a[1 + i * lda + p] * b[4 + p * ldb + j];
                }
                expected[2 + i * ldc + j] = (float) s;
            }
        }
        Sgemm.multiply(m, n, k, a, 1, lda, b, 4, ldb, c, 2, ldc, true, new Sgemm.Workspace());
        for (int i = 0; i < c.length; i++) {
            assertEquals(expected[i], c[i], 1e-4 * Math.sqrt(k) * (1 + Math.abs(expected[i])), "element " + i);
        }
    }

}
