package dev.infero.core.ops.misc;

import dev.infero.core.InferoException;
import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;

/**
 * The mel filter bank of ONNX MelWeightMatrix-17 (Infero's own op, version "infero"): from the scalars num_mel_bins,
 * dft_length, sample_rate, lower_edge_hertz and upper_edge_hertz, a {@code [dft_length/2 + 1, num_mel_bins]} matrix
 * of triangular filters. num_mel_bins + 2 points from the lower edge on, spaced on the mel scale (mel =
 * 2595·log10(1 + hz/700)) by (upper − lower) / (num_mel_bins + 2) as the ONNX reference spaces them, are mapped to
 * spectrogram bins ⌊(dft_length + 1)·hz / sample_rate⌋; filter i rises linearly from point i to point
 * i + 1 and falls to point i + 2 (a filter whose rise is empty is 1 at its center). Output of {@code
 * output_datatype}.
 */
public final class MelWeightMatrix extends Op {
    private static final Attribute<MelWeightMatrix, ElementType> OUTPUT_DATATYPE = Attribute.elementType(
            "output_datatype", (MelWeightMatrix op) -> op.outputType).orElse(ElementType.F32);
    public static final OpSpec<MelWeightMatrix> SPEC = OpSpec.of(MelWeightMatrix.class, "MelWeightMatrix", "infero",
            a -> new MelWeightMatrix(OUTPUT_DATATYPE.read(a)), OUTPUT_DATATYPE);

    private final ElementType outputType;

    public MelWeightMatrix(ElementType outputType) {
        this.outputType = outputType;
    }

    @Override
    public void infer(InferContext ctx) {
        if (ctx.inputCount() != 5) {
            throw ctx.error("needs 5 scalar inputs, got " + ctx.inputCount());
        }
        Tensor mel = ctx.inputValue(0);
        Tensor dft = ctx.inputValue(1);
        ctx.setOutput(0, outputType, PartialShape.of(dft == null ? PartialShape.DYNAMIC : bins(dft.getLong(0)),
                mel == null ? PartialShape.DYNAMIC : (int) mel.getLong(0)));
    }

    private static int bins(long dftLength) {
        if (dftLength < 1 || dftLength > Integer.MAX_VALUE) {
            throw new InferoException("MelWeightMatrix: dft_length " + dftLength + " must be positive");
        }
        return (int) (dftLength / 2 + 1);
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        int mels = (int) inputs[0].getLong(0);
        long dft = inputs[1].getLong(0);
        long rate = inputs[2].getLong(0);
        double low = inputs[3].getDouble(0);
        double high = inputs[4].getDouble(0);
        int bins = bins(dft);
        if (mels < 1 || rate < 1 || low < 0 || high <= low) {
            throw new InferoException("MelWeightMatrix: num_mel_bins " + mels + ", sample_rate " + rate
                    + ", edges " + low + ".." + high + " are invalid");
        }
        double lowMel = 2595 * Math.log10(1 + low / 700);
        double highMel = 2595 * Math.log10(1 + high / 700);
        // The step divides by the number of points (num_mel_bins + 2), as the ONNX reference and ONNX Runtime do,
        // so the last point falls short of the upper edge.
        double stepMel = (highMel - lowMel) / (mels + 2);
        int[] point = new int[mels + 2];
        for (int i = 0; i < point.length; i++) {
            double hz = 700 * (Math.pow(10, (i * stepMel + lowMel) / 2595) - 1);
            point[i] = (int) Math.floor((dft + 1) * hz / rate);
        }
        Tensor out = outputs[0];
        for (int i = 0; i < out.size(); i++) {
            out.setDouble(i, 0);
        }
        for (int i = 0; i < mels; i++) {
            int left = point[i];
            int center = point[i + 1];
            int right = point[i + 2];
            if (center == left) {
                set(out, center, i, mels, bins, 1);
            } else {
                for (int j = left; j <= center; j++) {
                    set(out, j, i, mels, bins, (double) (j - left) / (center - left));
                }
            }
            for (int j = center; j < right; j++) {
                set(out, j, i, mels, bins, (double) (right - j) / (right - center));
            }
        }
    }

    private static void set(Tensor out, int bin, int mel, int mels, int bins, double v) {
        if (bin < 0 || bin >= bins) {
            throw new InferoException("MelWeightMatrix: the upper edge maps to bin " + bin + " of " + bins
                    + " (the edges must lie below half the sample rate)");
        }
        out.setDouble(bin * mels + mel, v);
    }
}
