package dev.infero.cpu.kernels;

import dev.infero.cpu.jit.GemmKernel;
import dev.infero.cpu.parallel.WorkerPool;

/**
 * The driver {@link ShiftedConv} and {@link ChannelLaneConv} share: a call's arguments staged in the per-request
 * scratch, the output cut into items that threads claim as they come free ({@link WorkerPool#parallelItems}), and
 * the post-ops either in the generated tiles' registers (an {@link Epilogue}, applied once, after the last K block)
 * or, where that cannot be, in Java on each finished piece of the output. What differs is what each supplies: how
 * the call is cut into items ({@link Scratch#split}), what an item computes ({@link Scratch#item}: shifted windows
 * with segmented tiles, or gathered pixel panels with the channels in the lanes), and which generated kernels and
 * per-channel tables its epilogue holds ({@code epilogue}).
 */
abstract class TiledConv {
    final ConvGeometry g;
    final MicroKernel micro;

    TiledConv(ConvGeometry g, MicroKernel micro) {
        this.g = g;
        this.micro = micro;
    }

    /**
     * The post-ops of a layer applied in the generated tiles' registers, or {@code null} (JIT off, or post-ops the
     * generated code does not apply: see {@link MicroKernel#fuse}), in which case the tiles store plain sums and
     * {@link PostOps#apply} runs on each finished piece. Built when the layer is compiled.
     */
    abstract Epilogue epilogue(PostOps post);

    abstract Scratch newScratch(int threads);

    /**
     * Post-ops in registers: the kernels with them in their key (as the strategy indexes them), the per-channel
     * scale, bias and PReLU slopes in the layout the kernels read, and the activation's constants. Immutable.
     */
    static final class Epilogue {
        final GemmKernel[] kernels;
        final float[] scale;
        final float[] bias;
        final float alpha;
        final float beta;
        final float[] slopes;

        Epilogue(GemmKernel[] kernels, float[] scale, float[] bias, float alpha, float beta, float[] slopes) {
            this.kernels = kernels;
            this.slopes = slopes;
            this.scale = scale;
            this.bias = bias;
            this.alpha = alpha;
            this.beta = beta;
        }
    }

    /** Per-request scratch: the strategy's per-thread buffers, and the current call's arguments. */
    abstract class Scratch {
        final int slots;
        final WorkerPool.ItemTask task = this::item;
        final WorkerPool.ItemTask firstPhaseTask = this::firstPhaseItem;
        float[] in;
        float[] out;
        /** Where this call's output element 0 goes in {@link #out} (an in-place Concat input's block), else 0. */
        int outBase;
        float[] residual;
        PostOps post;
        /** This call's post-ops in registers, or {@code null}: then {@link #post} runs in Java. */
        Epilogue epilogue;

        Scratch(int slots) {
            this.slots = slots;
        }

        /** Cuts this call for {@code threads} threads (keeping what the items need to know): how many items. */
        abstract int split(int threads);

        /** Item {@code item} of this call on slot {@code slot} (whose per-thread buffers it uses). */
        abstract void item(int item, int slot);

        /**
         * How many items this call's first phase has, as {@link #split} cut it: work that every item needs and that
         * the threads share out once instead of each doing it again (the packed input panels that all output channel
         * ranges read), all done before any {@link #item} starts; 0 (the default) for none.
         */
        int firstPhaseItems() {
            return 0;
        }

        /** First-phase item {@code item} of this call on slot {@code slot} (see {@link #firstPhaseItems}). */
        void firstPhaseItem(int item, int slot) {
            throw new IllegalStateException("no first phase");
        }
    }

    /**
     * {@code out} = the convolution of {@code in} with {@code post}; {@code residual} may be {@code null} unless the
     * post-ops add one; {@code epilogue} is {@link #epilogue}{@code (post)}.
     */
    final void run(float[] in, float[] out, float[] residual, PostOps post, Epilogue epilogue, Scratch s,
                   WorkerPool pool) {
        run(in, out, 0, residual, post, epilogue, s, pool);
    }

    /** {@link #run} writing output element 0 at {@code out[outBase]} (an in-place Concat input; no residual then). */
    final void run(float[] in, float[] out, int outBase, float[] residual, PostOps post, Epilogue epilogue, Scratch s,
                   WorkerPool pool) {
        s.outBase = outBase;
        int threads = Math.min(pool.threadsFor(g.flops(), g.activationBytes()), s.slots);
        int items = s.split(threads);
        s.in = in;
        s.out = out;
        s.residual = residual;
        s.post = post;
        s.epilogue = epilogue;
        // Items claimed as threads come free: a late worker takes fewer.
        int first = s.firstPhaseItems();
        if (first > 0) {
            pool.parallelItems(threads, first, s.firstPhaseTask);
        }
        pool.parallelItems(threads, items, s.task);
        s.in = null;
        s.out = null;
        s.residual = null;
        s.post = null;
        s.epilogue = null;
    }
}
