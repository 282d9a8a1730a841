package dev.infero.cpu.jit;

import java.util.ArrayList;
import java.util.List;

/**
 * The row plan the channel-blocked window kernels share ({@link BlockedDepthwiseKernel}, {@link BlockedPoolKernel}):
 * an output row cut into register tiles, and per tile the window taps inside the input row, by input column. Taps
 * left or right of the input are left out here, at generation, so the code reads only the input row.
 *
 * @param inW     input row length (pixels)
 * @param outW    output row length (pixels)
 * @param kw      window width
 * @param strideW input columns between output columns
 * @param dilationW input columns between window columns
 * @param padLeft columns of padding left of the input
 */
record BlockedRows(int inW, int outW, int kw, int strideW, int dilationW, int padLeft) {
    /** Tiles of one output row: {@code count} tiles of {@code width} pixels from {@code x0}, all inside the input. */
    record Group(int x0, int width, int count, boolean inside) {
    }

    /** One tap: output pixel {@code x} of the tile (from 0) reads window column {@code kw} at input column {@code rel}. */
    record Tap(int rel, int x, int kw) {
    }

    /** The row's tiles of at most {@code tile} pixels: as equal as they go, inner tiles of one width as one loop. */
    List<Group> groups(int tile) {
        int n = (outW + tile - 1) / tile;
        List<Group> groups = new ArrayList<>();
        for (int i = 0, x0 = 0; i < n; i++) {
            int width = outW / n + (i < outW % n ? 1 : 0);
            boolean inside = x0 * strideW - padLeft >= 0
                    && (x0 + width - 1) * strideW - padLeft + (kw - 1) * dilationW < inW;
            Group last = groups.isEmpty() ? null : groups.getLast();
            if (inside && last != null && last.inside() && last.width() == width) {
                groups.set(groups.size() - 1, new Group(last.x0(), width, last.count() + 1, true));
            } else {
                groups.add(new Group(x0, width, 1, inside));
            }
            x0 += width;
        }
        return groups;
    }

    /**
     * The taps inside the input of the tile of {@code width} pixels from output column {@code x0}, grouped by the
     * input column they read (relative to the tile's first input column {@code x0 · strideW}), columns ascending and
     * within a column kw ascending: so each output pixel meets its taps in window order.
     */
    List<List<Tap>> byColumn(int x0, int width) {
        List<Tap> taps = new ArrayList<>();
        for (int x = 0; x < width; x++) {
            for (int t = 0; t < kw; t++) {
                int ix = (x0 + x) * strideW - padLeft + t * dilationW;
                if (ix >= 0 && ix < inW) {
                    taps.add(new Tap(x * strideW - padLeft + t * dilationW, x, t));
                }
            }
        }
        taps.sort((a, b) -> a.rel() != b.rel() ? Integer.compare(a.rel(), b.rel()) : Integer.compare(a.kw(), b.kw()));
        List<List<Tap>> columns = new ArrayList<>();
        for (Tap t : taps) {
            if (columns.isEmpty() || columns.getLast().getFirst().rel() != t.rel()) {
                columns.add(new ArrayList<>());
            }
            columns.getLast().add(t);
        }
        return columns;
    }
}
