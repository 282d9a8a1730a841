package dev.infero.core.ops.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import org.junit.jupiter.api.Test;

/** MatMul and Convolution on integers are exact (quantized models rely on it), beyond what f32 can represent. */
class IntegerArithmeticTest {
    /** 2^24 + 1, the first integer a float cannot hold. */
    private static final int BEYOND_FLOAT = 16_777_217;

    @Test
    void integerMatMulIsExactAndHonoursTransposition() {
        Tensor a = Tensor.of(new int[] {BEYOND_FLOAT, 1, 2, 3}, 2, 2);
        Tensor b = Tensor.of(new int[] {1, 0, 1, 1}, 2, 2);
        Tensor y = Tensor.allocate(ElementType.I32, 2, 2);
        new MatMul(false, false).evaluate(new Tensor[] {a, b}, new Tensor[] {y});
        assertArrayEquals(new int[] {BEYOND_FLOAT + 1, 1, 5, 3}, y.ints());
        new MatMul(true, true).evaluate(new Tensor[] {a, b}, new Tensor[] {y});
        // aᵀ = [[B, 2], [1, 3]], bᵀ = [[1, 1], [0, 1]]
        assertArrayEquals(new int[] {BEYOND_FLOAT, BEYOND_FLOAT + 2, 1, 4}, y.ints());
    }

    @Test
    void integerMatMulWrapsLikeInt32() {
        Tensor a = Tensor.of(new int[] {Integer.MAX_VALUE, 1}, 1, 2);
        Tensor b = Tensor.of(new int[] {1, 1}, 2, 1);
        Tensor y = Tensor.allocate(ElementType.I32, 1, 1);
        new MatMul(false, false).evaluate(new Tensor[] {a, b}, new Tensor[] {y});
        assertArrayEquals(new int[] {Integer.MIN_VALUE}, y.ints());
    }

    @Test
    void integerConvolutionIsExact() {
        Tensor x = Tensor.of(new int[] {BEYOND_FLOAT, 1}, 1, 1, 2);
        Tensor w = Tensor.of(new int[] {1, 1}, 1, 1, 2);
        Tensor y = Tensor.allocate(ElementType.I32, 1, 1, 1);
        WindowGeometry window = new WindowGeometry(new long[] {1}, new long[] {1}, new long[] {0}, new long[] {0},
                AutoPad.EXPLICIT, false);
        new Convolution(window).evaluate(new Tensor[] {x, w}, new Tensor[] {y});
        assertArrayEquals(new int[] {BEYOND_FLOAT + 1}, y.ints());
    }
}
