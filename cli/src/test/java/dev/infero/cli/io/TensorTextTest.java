package dev.infero.cli.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import org.junit.jupiter.api.Test;

class TensorTextTest {
    @Test
    void smallTensorsPrintInFullWithAlignedColumns() {
        assertEquals("[[  1, -20,   3],\n [  4,   5,   6]]",
                TensorText.format(Tensor.of(new long[] {1, -20, 3, 4, 5, 6}, 2, 3)));
        assertEquals("[ 0.5, 1.25]", TensorText.format(Tensor.of(new float[] {0.5f, 1.25f}, 2)));
        assertEquals("7", TensorText.format(Tensor.scalar(7L)));
    }

    @Test
    void higherRanksSeparateBlocksWithBlankLines() {
        assertEquals("[[[0, 1]],\n\n [[2, 3]]]", TensorText.format(Tensor.of(new int[] {0, 1, 2, 3}, 2, 1, 2)));
    }

    @Test
    void bigTensorsShowThreeItemsAtEachEndOfEachAxis() {
        int[] data = new int[2000];
        for (int i = 0; i < data.length; i++) {
            data[i] = i;
        }
        assertEquals("[   0,    1,    2, ..., 1997, 1998, 1999]", TensorText.format(Tensor.of(data, 2000)));
        String matrix = TensorText.format(Tensor.of(data, 40, 50));
        assertEquals("[[   0,    1,    2, ...,   47,   48,   49],\n [  50,   51,   52, ...,   97,   98,   99],\n"
                + " [ 100,  101,  102, ...,  147,  148,  149],\n ...,\n [1850, 1851, 1852, ..., 1897, 1898, 1899],\n"
                + " [1900, 1901, 1902, ..., 1947, 1948, 1949],\n [1950, 1951, 1952, ..., 1997, 1998, 1999]]", matrix);
    }

    @Test
    void numbersHaveSixSignificantDigits() {
        assertEquals("0.333333", TensorText.number(1.0 / 3));
        assertEquals("1.5e-07", TensorText.number(1.5e-7));
        assertEquals("1.23457e+08", TensorText.number(123456789));
        assertEquals("nan", TensorText.number(Double.NaN));
        assertEquals("-inf", TensorText.number(Double.NEGATIVE_INFINITY));
    }

    @Test
    void booleansPrintAsPython() {
        Tensor b = Tensor.allocate(ElementType.BOOLEAN, 2);
        b.setLong(0, 1);
        assertEquals("[ True, False]", TensorText.format(b));
    }

    @Test
    void statsSkipNaN() {
        assertEquals("min=-1 max=3 mean=1", TensorText.stats(Tensor.of(new float[] {-1, 3, 1}, 3)));
        assertEquals("min=1 max=1 mean=1 (1 NaN)", TensorText.stats(Tensor.of(new float[] {1, Float.NaN}, 2)));
        assertEquals("(empty)", TensorText.stats(Tensor.allocate(ElementType.F32, 0)));
    }
}
