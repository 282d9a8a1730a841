package dev.infero.cpu.jit;

import static dev.infero.cpu.jit.Asm.*;

import dev.infero.cpu.jit.Asm.Gp;
import dev.infero.cpu.jit.Asm.Mem;

/**
 * The code the channel-blocked window kernels ({@link BlockedDepthwiseKernel}, {@link BlockedPoolKernel}) share around
 * their tiles: the saved registers and stack arguments, the loop over output rows and their tiles of the
 * {@link BlockedRows} plan, and the loop over a tile's window rows. Each kernel emits only its tiles' arithmetic.
 */
final class BlockedWindowCode {
    /** Floats per pixel of the nChw16c layout. */
    static final int BLOCK = 16;
    /** Bytes per pixel of the nChw16c layout. */
    static final int PIXEL = 4 * BLOCK;
    /** The callee-saved registers the kernels use, pushed by {@link #prologue} in this order. */
    static final Gp[] SAVED = {RBX, RBP, R12, R13, R14, R15};

    private BlockedWindowCode() {
    }

    /** Stack argument {@code i} after the pushes of the prologue. */
    static Mem arg(int i) {
        return mem(RSP, 8 + 8 * SAVED.length + 8 * i);
    }

    /** Pushes {@link #SAVED}. */
    static void prologue(Assembler as) {
        for (Gp r : SAVED) {
            as.push(r);
        }
    }

    /** {@code vzeroupper}, pops {@link #SAVED}, returns. */
    static void epilogue(Assembler as) {
        as.vzeroupper();
        for (int i = SAVED.length - 1; i >= 0; i--) {
            as.pop(SAVED[i]);
        }
        as.ret();
    }

    /** Emits one tile of a group for lanes {@code half · lanes} on of the block. */
    interface TileBody {
        void emit(BlockedRows.Group group, int half);
    }

    /**
     * Pointer registers of the row loop: the input, the output and a third array ({@code side}: the residual, a
     * pixel per output pixel, or the average factors, a float per output pixel) with their per-tile copies
     * ({@code inTile}, {@code outTile}, {@code sideTile}), the tile counter and the row counter.
     */
    record Regs(Gp in, Gp out, Gp side, int sideBytesPerPixel, Gp inTile, Gp outTile, Gp sideTile, Gp tileCount,
                Gp rows) {
    }

    /**
     * The loop over {@code rows} output rows: per row the plan's tile groups (a group of more than one tile as a loop
     * of {@code tileCount}), each tile emitted by {@code body} for every half of the block, then the pointers moved to
     * the next row ({@code strideH} input rows on).
     */
    static void emitRows(Assembler as, Jit.Isa isa, BlockedRows plan, int tile, int strideH, Regs r, TileBody body) {
        int side = r.sideBytesPerPixel();
        Assembler.Label rowLoop = as.newLabel();
        as.bind(rowLoop);
        for (BlockedRows.Group g : plan.groups(tile)) {
            as.lea(r.inTile(), mem(r.in(), PIXEL * g.x0() * plan.strideW()));
            as.lea(r.outTile(), mem(r.out(), PIXEL * g.x0()));
            as.lea(r.sideTile(), mem(r.side(), side * g.x0()));
            Assembler.Label tileLoop = as.newLabel();
            if (g.count() > 1) {
                as.mov(r.tileCount(), g.count());
            }
            as.bind(tileLoop);
            for (int half = 0; half < BLOCK / isa.lanes(); half++) {
                body.emit(g, half);
            }
            if (g.count() > 1) {
                as.add(r.inTile(), PIXEL * g.width() * plan.strideW());
                as.add(r.outTile(), PIXEL * g.width());
                as.add(r.sideTile(), side * g.width());
                as.dec(r.tileCount());
                as.jcc(Assembler.Cond.NE, tileLoop);
            }
        }
        as.add(r.in(), PIXEL * plan.inW() * strideH);
        as.add(r.out(), PIXEL * plan.outW());
        as.add(r.side(), side * plan.outW());
        as.dec(r.rows());
        as.jcc(Assembler.Cond.NE, rowLoop);
    }

    /** Emits one window row of a tile ({@code first}: the first, where each accumulator starts). */
    interface WindowRow {
        void emit(boolean first);
    }

    /**
     * The loop over a tile's {@code kh} window rows (count in register {@code kh}, counted down in {@code k}): with
     * none, {@code empty} (the outputs of an empty window) and on to the end; else the input row pointer {@code row}
     * from {@code tile} (and {@code weights} from {@code weightBase}, when not null), the first row, {@code afterFirst},
     * the other rows ({@code rowBytes} and {@code weightBytes} apart), then {@code afterLast}. The end is bound last.
     */
    static void emitWindowRows(Assembler as, Gp kh, Gp k, Gp row, Gp tile, int rowBytes, Gp weights, Gp weightBase,
                               int weightBytes, Runnable empty, WindowRow windowRow, Runnable afterFirst,
                               Runnable afterLast) {
        Assembler.Label end = as.newLabel();
        Assembler.Label reduce = as.newLabel();
        Assembler.Label last = as.newLabel();
        as.test(kh, kh);
        as.jcc(Assembler.Cond.NE, reduce);
        empty.run();
        as.jmp(end);
        as.bind(reduce);
        as.mov(row, tile);
        if (weights != null) {
            as.mov(weights, weightBase);
        }
        windowRow.emit(true);
        afterFirst.run();
        as.mov(k, kh);
        as.dec(k);
        as.jcc(Assembler.Cond.E, last);
        Assembler.Label rowLoop = as.newLabel();
        as.bind(rowLoop);
        as.add(row, rowBytes);
        if (weights != null) {
            as.add(weights, weightBytes);
        }
        windowRow.emit(false);
        as.dec(k);
        as.jcc(Assembler.Cond.NE, rowLoop);
        as.bind(last);
        afterLast.run();
        as.bind(end);
    }
}
