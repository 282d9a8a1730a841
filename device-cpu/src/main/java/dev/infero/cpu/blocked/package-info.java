/**
 * The channel-blocked activation layout (nChw16c, ONNX Runtime's NCHWc) inside the CPU plan: a 4-D tensor
 * [N, C, H, W] held as a 5-D tensor [N, ⌈C/16⌉, H, W, 16] whose last axis is 16 consecutive channels (the vector lanes
 * of the kernels). {@link dev.infero.cpu.blocked.Blocked} is the layout's one home (shapes, index, the reference
 * reorders); the device-private ops here ({@link dev.infero.cpu.blocked.ReorderInput},
 * {@link dev.infero.cpu.blocked.ReorderOutput}, {@link dev.infero.cpu.blocked.NchwcConvolution},
 * {@link dev.infero.cpu.blocked.NchwcPooling}) are what {@code cpu.fusion.NchwcTransform} rewrites chains of
 * convolutions, pooling and element-wise ops into, each with the reference evaluation of the op it replaces; the
 * plan's steps run them on the blocked kernels of {@code cpu.kernels}. These ops never leave the device: they are not
 * registered and have no IR form.
 */
package dev.infero.cpu.blocked;
