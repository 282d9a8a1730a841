package dev.infero.cpu.kernels;

/**
 * What a blocked-layout layer kernel ({@link BlockedConv}, {@link BlockedWinograd}, {@link BlockedDepthwise}) tells
 * the plan step that runs it: how its work of one image is cut into items, how much it does, and its exec-type name.
 */
public interface BlockedLayerWork {
    /** Work items per image; items write disjoint parts of the output and may run on any threads in any order. */
    int items();

    /** Multiply-adds × 2 of one image. */
    long flops();

    /** Bytes of one image's activations and of the kernel's packed weights. */
    long bytes();

    /** The exec type's kernel name, e.g. {@code blocked_conv_jit_avx512}. */
    String execName();
}
