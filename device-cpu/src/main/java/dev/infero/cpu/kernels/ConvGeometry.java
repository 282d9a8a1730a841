package dev.infero.cpu.kernels;

/**
 * The shape arithmetic of a 2-D convolution over NCHW data: sizes, strides, dilations and the explicit padding that
 * the op's {@code auto_pad} resolved to. Immutable.
 */
public record ConvGeometry(int batch, int inChannels, int inH, int inW, int outChannels, int outH, int outW,
                           int kernelH, int kernelW, int strideH, int strideW, int dilationH, int dilationW,
                           int padTop, int padLeft, int groups) {
    public int inChannelsPerGroup() {
        return inChannels / groups;
    }

    public int outChannelsPerGroup() {
        return outChannels / groups;
    }

    public boolean isDepthwise() {
        return groups == inChannels && groups == outChannels;
    }

    /** A 1×1 stride-1 unpadded convolution is a plain matrix product on the input. */
    public boolean isPointwise() {
        return kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1 && padTop == 0 && padLeft == 0
                && outH == inH && outW == inW;
    }

    /** Rows of the im2col matrix: inputs per output value. */
    public int patchSize() {
        return inChannelsPerGroup() * kernelH * kernelW;
    }

    public long flops() {
        return 2L * batch * outChannels * outH * outW * patchSize();
    }

    /** Bytes of the input and output activations: the memory traffic of a pass over the layer. */
    public long activationBytes() {
        return 4L * batch * (inChannels * inH * inW + outChannels * outH * outW);
    }
}
