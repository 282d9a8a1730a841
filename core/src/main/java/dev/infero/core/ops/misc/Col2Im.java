package dev.infero.core.ops.misc;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;

/**
 * Col2Im-15: the inverse of im2col. Data {@code [N, C * prod(kernel), L]} (or without N) holds, for each of the
 * {@code L} sliding-window positions over the padded image (row-major over the grid of positions), the window's
 * {@code C * prod(kernel)} values (channel-major, then kernel offsets row-major); overlapping values are summed
 * into the image {@code [N, C, *output_size]}. Input 1 is {@code output_size}, input 2 {@code kernel_size}; the
 * attributes are the usual window geometry. OpenVINO defines 2-D images; Infero accepts any number of spatial
 * dimensions (ONNX Col2Im does).
 */
public final class Col2Im extends Op {
    private static final Attribute<Col2Im, long[]> STRIDES = Attribute.integers("strides", op -> op.strides);
    private static final Attribute<Col2Im, long[]> DILATIONS = Attribute.integers("dilations", op -> op.dilations);
    private static final Attribute<Col2Im, long[]> PADS_BEGIN = Attribute.integers("pads_begin", op -> op.padsBegin);
    private static final Attribute<Col2Im, long[]> PADS_END = Attribute.integers("pads_end", op -> op.padsEnd);
    public static final OpSpec<Col2Im> SPEC = OpSpec.of(Col2Im.class, "Col2Im", "opset15",
            a -> new Col2Im(STRIDES.read(a), DILATIONS.read(a), PADS_BEGIN.read(a), PADS_END.read(a)),
            STRIDES, DILATIONS, PADS_BEGIN, PADS_END);

    private final long[] strides;
    private final long[] dilations;
    private final long[] padsBegin;
    private final long[] padsEnd;

    public Col2Im(long[] strides, long[] dilations, long[] padsBegin, long[] padsEnd) {
        this.strides = strides.clone();
        this.dilations = dilations.clone();
        this.padsBegin = padsBegin.clone();
        this.padsEnd = padsEnd.clone();
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape data = ctx.inputShape(0);
        int spatial = strides.length;
        if (dilations.length != spatial || padsBegin.length != spatial || padsEnd.length != spatial) {
            throw ctx.error("strides, dilations, pads_begin and pads_end must have the same length");
        }
        if (data.hasRank() && data.rank() != 2 && data.rank() != 3) {
            throw ctx.error("data must be [C * prod(kernel), L] or [N, C * prod(kernel), L], got " + data);
        }
        Tensor outputSize = ctx.inputValue(1);
        Tensor kernelSize = ctx.inputValue(2);
        if (!data.hasRank()) {
            ctx.setOutput(0, ctx.inputType(0), PartialShape.unknownRank());
            return;
        }
        boolean batched = data.rank() == 3;
        int[] out = new int[(batched ? 2 : 1) + spatial];
        java.util.Arrays.fill(out, PartialShape.DYNAMIC);
        if (batched) {
            out[0] = data.dim(0);
        }
        int columns = data.dim(data.rank() - 2);
        int blocks = data.dim(data.rank() - 1);
        if (outputSize != null && kernelSize != null) {
            if (outputSize.size() != spatial || kernelSize.size() != spatial) {
                throw ctx.error("output_size and kernel_size must have " + spatial + " values");
            }
            long kernelVolume = 1;
            long expectedBlocks = 1;
            for (int d = 0; d < spatial; d++) {
                out[out.length - spatial + d] = (int) outputSize.getLong(d);
                kernelVolume *= kernelSize.getLong(d);
                expectedBlocks *= positions(outputSize.getLong(d), kernelSize.getLong(d), d);
            }
            if (columns != PartialShape.DYNAMIC) {
                if (columns % kernelVolume != 0) {
                    throw ctx.error("data dimension " + columns + " is not a multiple of the kernel volume "
                            + kernelVolume);
                }
                out[out.length - spatial - 1] = (int) (columns / kernelVolume);
            }
            if (blocks != PartialShape.DYNAMIC && blocks != expectedBlocks) {
                throw ctx.error("data has " + blocks + " blocks, the geometry gives " + expectedBlocks);
            }
        }
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(out));
    }

    /** Sliding-window positions along spatial axis {@code d}. */
    private long positions(long size, long kernel, int d) {
        return (size + padsBegin[d] + padsEnd[d] - (dilations[d] * (kernel - 1) + 1)) / strides[d] + 1;
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor data = inputs[0];
        Tensor out = outputs[0];
        int spatial = strides.length;
        int[] size = new int[spatial];
        int[] kernel = new int[spatial];
        int[] grid = new int[spatial];
        int kernelVolume = 1;
        int image = 1;
        for (int d = 0; d < spatial; d++) {
            size[d] = (int) inputs[1].getLong(d);
            kernel[d] = (int) inputs[2].getLong(d);
            grid[d] = (int) positions(size[d], kernel[d], d);
            kernelVolume *= kernel[d];
            image *= size[d];
        }
        int blocks = data.dim(data.rank() - 1);
        int channels = data.dim(data.rank() - 2) / kernelVolume;
        int batch = data.rank() == 3 ? data.dim(0) : 1;
        for (int i = 0; i < out.size(); i++) {
            out.setDouble(i, 0);
        }
        int[] k = new int[spatial];
        int[] l = new int[spatial];
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) {
                for (int ki = 0; ki < kernelVolume; ki++) {
                    unravel(ki, kernel, k);
                    int row = ((n * channels + c) * kernelVolume + ki) * blocks;
                    for (int li = 0; li < blocks; li++) {
                        unravel(li, grid, l);
                        int offset = 0;
                        boolean inside = true;
                        for (int d = 0; d < spatial; d++) {
                            long p = l[d] * strides[d] - padsBegin[d] + k[d] * dilations[d];
                            inside &= p >= 0 && p < size[d];
                            offset = offset * size[d] + (int) p;
                        }
                        if (inside) {
                            int at = (n * channels + c) * image + offset;
                            out.setDouble(at, out.getDouble(at) + data.getDouble(row + li));
                        }
                    }
                }
            }
        }
    }

    /** The row-major multi-index of flat index {@code flat} in {@code shape}. */
    private static void unravel(int flat, int[] shape, int[] index) {
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
    }
}
