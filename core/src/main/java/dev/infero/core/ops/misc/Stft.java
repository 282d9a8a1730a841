package dev.infero.core.ops.misc;

import dev.infero.core.InferoException;
import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;

/**
 * Short-time Fourier transform (ONNX STFT-17; Infero's own op, version "infero", as OpenVINO's STFT-15 takes other
 * inputs). Inputs: 0 the signal {@code [B, L, 1]} (real) or {@code [B, L, 2]} (complex), 1 the frame step (integer
 * scalar), 2 the window {@code [N]}, whose length is the frame length (the ONNX frontend makes a window of ones when
 * a model gives only the frame length). Output {@code [B, frames, bins, 2]}: frames = 1 + (L − N) / step, bins
 * N/2 + 1 when {@code onesided} (real signals only), else N; each frame starting at f·step is multiplied by the
 * window and transformed with exp(−2πi·k·n/N).
 */
public final class Stft extends Op {
    private static final Attribute<Stft, Boolean> ONESIDED = Attribute.bool("onesided", Stft::onesided).orElse(true);
    public static final OpSpec<Stft> SPEC = OpSpec.of(Stft.class, "STFT", "infero", a -> new Stft(ONESIDED.read(a)),
            ONESIDED);

    private final boolean onesided;

    public Stft(boolean onesided) {
        this.onesided = onesided;
    }

    public boolean onesided() {
        return onesided;
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape signal = ctx.inputShape(0);
        PartialShape window = ctx.inputShape(2);
        if (ctx.inputCount() < 3 || !ctx.hasInput(1) || !ctx.hasInput(2)) {
            throw ctx.error("needs the signal, frame step and window inputs");
        }
        if (signal.hasRank() && (signal.rank() != 3 || !signal.isDynamic(2) && signal.dim(2) != 1
                && signal.dim(2) != 2) || window.hasRank() && window.rank() != 1) {
            throw ctx.error("needs a [batch, length, 1 or 2] signal and a 1-D window, got " + signal + " and "
                    + window);
        }
        if (onesided && signal.hasRank() && !signal.isDynamic(2) && signal.dim(2) == 2) {
            throw ctx.error("onesided needs a real signal, got a complex one " + signal);
        }
        int batch = signal.hasRank() ? signal.dim(0) : PartialShape.DYNAMIC;
        int n = window.hasRank() ? window.dim(0) : PartialShape.DYNAMIC;
        Tensor step = ctx.inputValue(1);
        int frames = PartialShape.DYNAMIC;
        if (step != null && n >= 0 && signal.hasRank() && !signal.isDynamic(1)) {
            frames = frames(signal.dim(1), n, step.getLong(0));
        }
        int bins = n < 0 ? PartialShape.DYNAMIC : onesided ? n / 2 + 1 : n;
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(batch, frames, bins, 2));
    }

    private static int frames(int length, int n, long step) {
        if (step < 1 || n < 1 || n > length) {
            throw new InferoException("STFT: frame step " + step + " and frame length " + n
                    + " do not fit a signal of length " + length);
        }
        return (int) (1 + (length - n) / step);
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor x = inputs[0];
        Tensor w = inputs[2];
        int batch = x.dim(0);
        int length = x.dim(1);
        int parts = x.dim(2);
        int n = w.dim(0);
        long step = inputs[1].getLong(0);
        int frames = frames(length, n, step);
        int bins = onesided ? n / 2 + 1 : n;
        Tensor y = outputs[0];
        for (int b = 0; b < batch; b++) {
            for (int f = 0; f < frames; f++) {
                int start = (int) (f * step);
                for (int k = 0; k < bins; k++) {
                    double re = 0;
                    double im = 0;
                    for (int t = 0; t < n; t++) {
                        int at = (b * length + start + t) * parts;
                        double win = w.getDouble(t);
                        double a = x.getDouble(at) * win;
                        double c = parts == 2 ? x.getDouble(at + 1) * win : 0;
                        double angle = 2 * Math.PI * ((long) k * t % n) / n;
                        double cos = Math.cos(angle);
                        double sin = Math.sin(angle);
                        re += a * cos + c * sin;
                        im += c * cos - a * sin;
                    }
                    int out = ((b * frames + f) * bins + k) * 2;
                    y.setDouble(out, re);
                    y.setDouble(out + 1, im);
                }
            }
        }
    }
}
