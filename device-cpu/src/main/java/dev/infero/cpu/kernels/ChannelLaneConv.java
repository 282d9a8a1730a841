package dev.infero.cpu.kernels;

import dev.infero.cpu.jit.GemmKernel;
import dev.infero.cpu.jit.Jit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Convolution of a layer with few output pixels and many channels (ResNet's 7×7, 14×14 and 28×28 stages), computed
 * transposed: {@code out^T[pixels × Cout] = cols^T[pixels × K] · W^T[K × Cout]}, so the output channels fill the vector
 * lanes of the micro-kernel and the pixels are its broadcast rows.
 *
 * <p>Why: as {@code W·cols}, 49 output pixels fill two NR-column panels of the micro-kernel to 77 %, and a 14×14
 * output with a deep K (2,304 for 3×3×256) is cut into NR-wide chunks that each stream the megabytes of weights.
 * Transposed, the channels (a multiple of NR in these layers) fill the lanes exactly and the pixels fill MR-row panels
 * (49 = 9 panels of 6; generated AVX-512 tiles take the last pixel into a 13-row tile, see
 * {@link MicroKernel#LAST_TILE_EXTRA}). The weights, transposed, are packed once into NR-column panels, K-major, KC-block by
 * KC-block ({@link PackedGemm#pack}): a panel is the micro-kernel's B with {@code ldb = NR}. Per KC block, the pixels'
 * slice of the unfolded input is gathered straight into MR-row panels (at most 252 × KC floats, in L2); then each
 * weight panel (KC × NR, in L1) sweeps all pixel panels, so the weights are read exactly once per inference. The
 * product accumulates in a per-thread buffer, one {@code pixels × NR} block per weight panel; once its last KC block
 * is done, a panel is written to the NCHW output transposed, channel row by channel row, with the post-ops, while it
 * is in L1. Outputs larger than 14×14 are cut into chunks of pixels, each swept by all the weights. Threads share out
 * the images and groups, then the pixels (chunks) of an image, or its output channels when it has too few pixels:
 * then they first gather all its pixel panels once, together, into one buffer that every range of output channels
 * sweeps (a first phase, see {@code Scratch.split}).
 *
 * <p>The gather: input value (pixel, k) sits at {@code kOffset[k] + pixelOffset[pixel]} of the input group, or of a
 * zero-bordered copy of it when the convolution pads. Rows of 7 or 14 pixels are too short for an im2col's row copies
 * to pay (their call and boundary arithmetic cost more than the values), and the packing pass after them would read
 * every value again; the table gather writes each packed value once, in order, with no bounds arithmetic. A panel
 * whose six pixels lie in one or two runs of input positions one or two apart (1×1 layers, stride-1 and stride-2
 * windows; the second run where the panel crosses an output row) takes one or two vector loads per tap and one
 * store instead of six scalar moves: the scalar gather had cost 1024×14×14→256 1×1 about a fifth of its time.
 */
final class ChannelLaneConv extends TiledConv {
    private static final int MR = PackedGemm.MR;
    private static final int NR = PackedGemm.NR;
    private static final int KC = PackedGemm.KC;
    /**
     * Pixel panels per chunk: a chunk's KC block of pixels (≤ 252 × KC floats, 252 KB) stays in L2 while the weight
     * panels sweep it. 7×7 and 14×14 outputs are one chunk, so their weights are read once; larger outputs re-read the
     * weights per chunk, from L2 (they are small in such layers).
     */
    private static final int CHUNK_PANELS = 42;
    /**
     * Threads share out the pixels of an image when each gets at least this many pixel panels (14×14: 33 panels), so
     * none gathers the same pixels twice; with fewer (7×7: 9 panels) they share out the output channels instead, as
     * so few tiles per weight panel would not hide the latency of reading it from L3 on both cores, and 5 + 4 panels
     * would leave one thread idle 11 % of the time.
     */
    private static final int SPLIT_PANELS = 8;
    /** Eight floats: a pixel panel's six values per tap (and two the next tap overwrites) in one store. */
    private static final VectorSpecies<Float> RUN = FloatVector.SPECIES_256;
    /** Sixteen floats: the span of six pixels two apart (stride-2 layers), loaded at once. */
    private static final VectorSpecies<Float> WIDE = FloatVector.SPECIES_512;
    /**
     * The widest vectors the Vector API runs as such here: 8-float vectors gather panels of consecutive pixels,
     * 16-float ones also panels of pixels two apart; narrower (at {@code -XX:MaxVectorSize=16} they would be
     * emulated, allocating) the gather stays scalar.
     */
    private static final int VECTOR_LANES = FloatVector.SPECIES_PREFERRED.length();
    /** Lanes 0, 2, 4, ...: pixels two apart into consecutive lanes. */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(WIDE, i -> 2 * i % WIDE.length());
    /** A channel of consecutive pixels in the product block ({@code pixels × NR}): lanes NR floats apart. */
    private static final VectorSpecies<Float> COLUMN = FloatVector.SPECIES_PREFERRED;
    private static final int[] COLUMN_INDEX = java.util.stream.IntStream.range(0, COLUMN.length()).map(i -> i * NR)
            .toArray();
    /** [s]: lanes s and above, the pixels of a panel's second run (see {@link #runSplit}). */
    private static final VectorMask<Float>[] SECOND_RUN = secondRunMasks(RUN, 1);
    /** [s]: lanes 2·s and above, where pixels two apart of the second run lie before {@link #EVEN} moves them. */
    private static final VectorMask<Float>[] SECOND_RUN_WIDE = secondRunMasks(WIDE, 2);

    /** Per group: the transposed weights in NR-column panels (see {@link PackedGemm#pack}). */
    private final float[][] weights;
    private final int channelPanels;
    private final int pixelPanels;
    /** Pixel panels per chunk (the last chunk may have fewer), and how many chunks. */
    private final int chunkPanels;
    private final int chunks;
    /** Whether the input is read through a zero-bordered copy (some read falls outside it). */
    private final boolean padded;
    /** Height and width of the planes read: the input's, or the zero-bordered copy's. */
    private final int planeH;
    private final int planeW;
    /** Where tap k = (c, kh, kw) of the output pixel at offset 0 is, in the planes read. */
    private final int[] kOffset;
    /** Where each output pixel's window starts, relative to {@link #kOffset}. */
    private final int[] pixelOffset;
    /**
     * Per full pixel panel: the distance (1 or 2) between the input positions of its consecutive pixels within a
     * run, or 0 when they are not in one or two such runs; see {@link #runSplit}.
     */
    private final int[] runStep;
    /**
     * Per full pixel panel with a {@link #runStep}: {@link #MR} when all its pixels are one run (1×1 stride-1
     * layers, panels within an output row), else the pixel (1 to MR − 1) where the second run starts (a panel
     * across two output rows): one or two vector loads per tap then gather the panel instead of six scalar ones.
     */
    private final int[] runSplit;
    /**
     * The vector width the gather may use: {@link #VECTOR_LANES}, or 0 (scalar) with {@code
     * -Dinfero.jit.lanegather=off}, for A/B measurements.
     */
    private final int gatherLanes = Jit.switchedOff("lanegather") ? 0 : VECTOR_LANES;
    /**
     * Pixels per vector of the transposed store ({@link #transpose}: one gather of a channel's values from the
     * product block, one store), 0 for scalar moves (narrower than 8 lanes, or {@code -Dinfero.jit.lanetranspose=off}
     * for A/B measurements).
     */
    private final int transposeLanes = Jit.switchedOff("lanetranspose") || VECTOR_LANES < 8 ? 0 : COLUMN.length();

    /** @param weights [Cout, Cin/groups, KH, KW] as in the op */
    ChannelLaneConv(ConvGeometry geometry, float[] weights) {
        this(geometry, weights, MicroKernel.forCompilation());
    }

    /** @param weights [Cout, Cin/groups, KH, KW] as in the op; {@code micro} runs the tiles */
    ChannelLaneConv(ConvGeometry geometry, float[] weights, MicroKernel micro) {
        super(geometry, micro);
        int cout = g.outChannelsPerGroup();
        int k = g.patchSize();
        this.channelPanels = (cout + NR - 1) / NR;
        this.pixelPanels = (g.outH() * g.outW() + MR - 1) / MR;
        int even = (pixelPanels + CHUNK_PANELS - 1) / CHUNK_PANELS;
        this.chunkPanels = (pixelPanels + even - 1) / even;
        this.chunks = (pixelPanels + chunkPanels - 1) / chunkPanels;
        this.weights = new float[g.groups()][];
        for (int grp = 0; grp < g.groups(); grp++) {
            this.weights[grp] = new float[channelPanels * NR * k];
            PackedGemm.pack(cout, k, NR, weights, grp * cout * k, k, this.weights[grp]);
        }
        // The window of all reads: rows [-padTop, spanH - padTop), columns [-padLeft, spanW - padLeft).
        int spanH = (g.outH() - 1) * g.strideH() + (g.kernelH() - 1) * g.dilationH() + 1;
        int spanW = (g.outW() - 1) * g.strideW() + (g.kernelW() - 1) * g.dilationW() + 1;
        this.padded = g.padTop() > 0 || g.padLeft() > 0 || spanH - g.padTop() > g.inH()
                || spanW - g.padLeft() > g.inW();
        this.planeH = padded ? spanH : g.inH();
        this.planeW = padded ? spanW : g.inW();
        this.kOffset = new int[k];
        for (int c = 0, i = 0; c < g.inChannelsPerGroup(); c++) {
            for (int kh = 0; kh < g.kernelH(); kh++) {
                for (int kw = 0; kw < g.kernelW(); kw++) {
                    kOffset[i++] = (c * planeH + kh * g.dilationH()) * planeW + kw * g.dilationW();
                }
            }
        }
        this.pixelOffset = new int[g.outH() * g.outW()];
        for (int y = 0; y < g.outH(); y++) {
            for (int x = 0; x < g.outW(); x++) {
                pixelOffset[y * g.outW() + x] = y * g.strideH() * planeW + x * g.strideW();
            }
        }
        this.runStep = new int[pixelPanels];
        this.runSplit = new int[pixelPanels];
        for (int pp = 0; pp < pixelPanels && (pp + 1) * MR <= pixelOffset.length; pp++) {
            int pix0 = pp * MR;
            int step = pixelOffset[pix0 + 1] - pixelOffset[pix0];
            int split = step == 1 || step == 2 ? runSplit(pixelOffset, pix0, step) : 0;
            runStep[pp] = split > 0 ? step : 0;
            runSplit[pp] = split;
        }
    }

    /**
     * Where the panel of pixels [pix0, pix0 + MR) splits into two runs of input positions {@code step} apart (MR:
     * one run), or 0 when it does not (nor when the second run, extended back to lane 0, would start before 0).
     */
    static int runSplit(int[] pixelOffset, int pix0, int step) {
        int s = 1;
        while (s < MR && pixelOffset[pix0 + s] == pixelOffset[pix0] + s * step) {
            s++;
        }
        for (int r = s + 1; r < MR; r++) {
            if (pixelOffset[pix0 + r] != pixelOffset[pix0 + s] + (r - s) * step) {
                return 0;
            }
        }
        return s == MR || pixelOffset[pix0 + s] >= s * step ? s : 0;
    }

    /**
     * How many full pixel panels each vector form of the gather takes: [one run, two runs] of pixels one apart, then
     * the same for pixels two apart (whether they run as vectors depends on the Vector API's width too).
     */
    int[] vectorPanels() {
        int[] forms = new int[4];
        for (int pp = 0; pp < runStep.length; pp++) {
            if (runStep[pp] > 0) {
                forms[2 * (runStep[pp] - 1) + (runSplit[pp] == MR ? 0 : 1)]++;
            }
        }
        return forms;
    }

    @SuppressWarnings("unchecked")
    private static VectorMask<Float>[] secondRunMasks(VectorSpecies<Float> species, int step) {
        VectorMask<Float>[] masks = new VectorMask[MR];
        for (int s = 1; s < MR; s++) {
            masks[s] = VectorMask.fromLong(species, ~((1L << step * s) - 1) & ((1L << species.length()) - 1));
        }
        return masks;
    }

    /**
     * Whether this strategy beats {@link ConvKernel}'s own for the layer, as measured (1 thread, both in one JVM,
     * alternating; GFLOPS old → new). Unfolded layers (not 1×1 stride 1) up to 28×28 outputs whose channels fill at
     * least half the lanes: the gather costs less than the other path's im2col and the lanes are full (3×3 512 on
     * 7×7 64 → 80, 3×3 256 on 14×14 80 → 110, 3×3 128 on 28×28 76 → 99, 3×3 stride 2 to 7×7 and 28×28, 5×5, 1×1
     * stride 2, 40 or 48 channels alike); at 56×56 the two tie. 1×1 stride-1 layers, which the other path reads in
     * place, only up to 14×14 outputs with at least 256 channels in and out (512 → 512 on 14×14 87 → 96, 2048 → 512
     * on 7×7 67 → 86): with fewer input channels the gather, with fewer output channels the transposed store, costs
     * more than the full lanes gain (64 → 256 on 13×13 81 → 61).
     */
    static boolean suits(ConvGeometry g) {
        return suits(g, false);
    }

    /**
     * Patch depth (input channels × kernel area) from which this strategy still beats {@link ShiftedConv}'s
     * generated segmented tiles where both fit: 3×3 over 256 input channels.
     */
    static final int MIN_PATCH_OVER_SEGMENTED = 256 * 9;

    /**
     * As {@link #suits(ConvGeometry)}, with generated code when {@code jit}: where {@link ShiftedConv}'s segmented
     * tiles take the layer too ({@code ShiftedConv.suits(g, true)}: outputs past 128 pixels), only from a patch of
     * {@link #MIN_PATCH_OVER_SEGMENTED} on, as measured (ConvCpuTime, 1 thread, thread CPU time, share of the FMA peak,
     * lanes → shifted): 3×3 128→128 on 28×28 71 → 88 %, 64→64 on 28×28 58 → 84 %, 192→192 on 28×28 78 → 87 %,
     * 128→128 on 14×14 71 → 86 %, 96→96 on 20×20 65 → 85 %, 64→128 stride 2 to 28×28 65 → 75 %; but 256→256 on
     * 28×28 82 → 80 %, on 14×14 79 → 80 %, 512→512 on 14×14 86 → 80 %, 256→256 stride 2 to 28×28 77 → 64 %: the
     * gather is then a small share of the deep K, and the segmented tiles re-read the window per tap.
     */
    static boolean suits(ConvGeometry g, boolean jit) {
        if (jit && g.patchSize() < MIN_PATCH_OVER_SEGMENTED && ShiftedConv.suits(g, true) && lanes(g)) {
            return false;
        }
        return lanes(g);
    }

    private static boolean lanes(ConvGeometry g) {
        int spatial = g.outH() * g.outW();
        int cout = g.outChannelsPerGroup();
        if (g.patchSize() == 0) {
            return false;
        }
        if (g.isPointwise()) {
            return spatial <= 196 && cout >= 256 && g.patchSize() >= 256;
        }
        return spatial <= 784 && 2 * cout >= (cout + NR - 1) / NR * NR;
    }

    /**
     * With generated code: the post-ops in the registers of the last K block's tiles, per column (the output
     * channels are the lanes), scale, bias and PReLU slopes padded to whole weight panels per group; kernels indexed by tile
     * rows − 1 (MR, 2·MR, and the 2·MR + 1 or 2 rows of a joined last panel where the layer has one). Not with a residual: it is laid out NCHW, the tiles transposed, and copying
     * it into the tiles' layout first is a scalar transpose (one element per store), which measured slower than the
     * vectorised Java pass over the rows just stored (512×7×7→2048 1×1 + BN + add + ReLU, 1 thread: 0.875 → 0.947 ms
     * median), so such layers keep all their post-ops in Java (they come after the residual).
     */
    @Override
    Epilogue epilogue(PostOps post) {
        MicroKernel.Fused fused = post.hasResidual() ? null : micro.fuse(post);
        if (fused == null) {
            return null;
        }
        // Only the last K block applies them: from zero when K is one block, else accumulating.
        boolean first = g.patchSize() <= KC;
        GemmKernel[] kernels = new GemmKernel[micro.maxTileRows()];
        kernels[MR - 1] = fused.byColumn(first, MR);
        if (micro.tilePanels() == 2) {
            kernels[2 * MR - 1] = fused.byColumn(first, 2 * MR);
            // The last pixel panel's needed rows, when few enough to join the tile before it (MicroKernel.sweep).
            int lastRows = g.outH() * g.outW() - (pixelPanels - 1) * MR;
            if (pixelPanels > 2 && lastRows <= MicroKernel.LAST_TILE_EXTRA) {
                kernels[2 * MR + lastRows - 1] = fused.byColumn(first, 2 * MR + lastRows);
            }
        }
        return new Epilogue(kernels, padded(fused.scale), padded(fused.bias), fused.alpha, fused.beta,
                padded(fused.slopes));
    }

    /** Per-channel values with each group's channels padded to {@code channelPanels · NR} (zeros), or null. */
    private float[] padded(float[] perChannel) {
        if (perChannel == null) {
            return null;
        }
        int cout = g.outChannelsPerGroup();
        float[] p = new float[g.groups() * channelPanels * NR];
        for (int grp = 0; grp < g.groups(); grp++) {
            System.arraycopy(perChannel, grp * cout, p, grp * channelPanels * NR, cout);
        }
        return p;
    }

    @Override
    Scratch newScratch(int threads) {
        return new Scratch(threads);
    }

    final class Scratch extends TiledConv.Scratch {
        /** Per thread: one KC block of the pixels, in MR-row panels. */
        private final float[][] pixels;
        /** Per thread: the zero-bordered copy of one image's group of input planes (only when padding). */
        private final float[][] planes;
        /** Per thread: which image and group its {@link #planes} hold in this call, -1 for none yet. */
        private final int[] planesOf;
        /** Per thread: the transposed product of a chunk, {@code chunkPanels·MR × NR} per weight panel. */
        private final float[][] product;
        /**
         * All K blocks of all the pixel panels, {@link #blockStride} floats per block, gathered once per call by the
         * threads together when they share out the output channels of one image ({@link #sharesGather}); else empty.
         */
        private final float[] gathered;
        /** How many weight panel ranges each chunk of an image and group is cut into. */
        private int parts;
        /** This call's pixel panels per chunk, and chunks. */
        private int callChunkPanels;
        private int callChunks;
        /** Whether this call gathers into {@link #gathered} first, and in how many first-phase items. */
        private boolean shared;
        private int gatherItems;

        Scratch(int threads) {
            super(threads);
            // Two floats past the last panel: the vector gather's last eight-float store (see gather).
            pixels = new float[threads][chunkPanels * MR * KC + RUN.length() - MR];
            planes = new float[threads][padded ? g.inChannelsPerGroup() * planeH * planeW : 0];
            planesOf = new int[threads];
            product = new float[threads][channelPanels * chunkPanels * MR * NR];
            gathered = new float[sharesGather(threads) ? kBlocks() * blockStride() : 0];
        }

        /**
         * Images and groups, then chunks of pixels when an image has enough for every thread it gets, then ranges
         * of weight panels. When the threads share out the output channels of one image (few pixels), the pixels are
         * gathered first, K blocks shared out, into one buffer all of them read: each range of weight panels
         * gathering every pixel again cost 8–11 % more CPU time on 2 threads than on 1 (the gather and the
         * zero-bordered copy, 512×7×7→512 3×3 and 2048×7×7→512 1×1), and cut as 2 items per thread (to take up a
         * late worker's share) twice that. Then every range is cut as evenly as the panels go.
         */
        @Override
        int split(int threads) {
            int images = g.batch() * g.groups();
            int perImage = (threads + images - 1) / images;
            int cp = chunkPanels;
            if (perImage > 1 && pixelPanels >= SPLIT_PANELS * perImage) {
                cp = Math.min(cp, (pixelPanels + perImage - 1) / perImage);
            }
            callChunkPanels = cp;
            callChunks = (pixelPanels + cp - 1) / cp;
            int units = images * callChunks;
            parts = Math.clamp((threads + units - 1) / units, 1, channelPanels);
            java.util.Arrays.fill(planesOf, -1);
            shared = parts > 1 && units == 1 && gathered.length > 0;
            if (shared) {
                parts = Math.min(channelPanels, 2 * threads);
                gatherItems = Math.min(kBlocks(), 2 * threads);
            }
            return units * parts;
        }

        @Override
        int firstPhaseItems() {
            return shared ? gatherItems : 0;
        }

        /** Gathers K blocks [b0, b1) of gather item {@code item} into {@link #gathered}. */
        @Override
        void firstPhaseItem(int item, int t) {
            int b0 = (int) ((long) kBlocks() * item / gatherItems);
            int b1 = (int) ((long) kBlocks() * (item + 1) / gatherItems);
            int k = g.patchSize();
            float[] src = in;
            int inOff = 0;
            if (padded) {
                // Only the channels whose taps these blocks hold.
                int taps = g.kernelH() * g.kernelW();
                copyIntoBorder(in, 0, planes[t], b0 * KC / taps, (Math.min(k, b1 * KC) - 1) / taps + 1);
                src = planes[t];
            }
            for (int b = b0; b < b1; b++) {
                int p0 = b * KC;
                gather(src, inOff, p0, Math.min(KC, k - p0), 0, pixelPanels, gathered, b * blockStride());
            }
        }

        /** Item {@code item} (a weight panel range of a chunk of one image and group) on slot {@code t}. */
        @Override
        void item(int item, int t) {
            if (shared) {
                int panel0 = (int) ((long) channelPanels * item / parts);
                int panel1 = (int) ((long) channelPanels * (item + 1) / parts);
                for (int b = 0; b < kBlocks(); b++) {
                    int p0 = b * KC;
                    sweep(this, t, 0, 0, 0, pixelPanels, panel0, panel1, p0, gathered, b * blockStride());
                }
                return;
            }
            int chunks = callChunks;
            int chunkPanels = callChunkPanels;
            int perPart = (channelPanels + parts - 1) / parts;
            int panel0 = item % parts * perPart;
            int chunk = item / parts % chunks;
            int image = item / parts / chunks;
            if (panel0 < channelPanels) {
                convolve(this, t, image / g.groups(), image % g.groups(), chunk * chunkPanels,
                        Math.min(pixelPanels, (chunk + 1) * chunkPanels), panel0,
                        Math.min(channelPanels, panel0 + perPart));
            }
        }
    }

    /** K blocks of the patch ({@link #KC} deep, the last one shallower). */
    private int kBlocks() {
        return (g.patchSize() + KC - 1) / KC;
    }

    /** Floats per K block in {@code Scratch.gathered}: all pixel panels, then the gather's slack (see gather). */
    private int blockStride() {
        return pixelPanels * MR * KC + RUN.length() - MR;
    }

    /**
     * Whether a scratch for {@code threads} threads gathers the pixels once for all its threads when they share out
     * the output channels (see {@code Scratch.split}): one image of one group, one chunk of pixels, too few to share
     * them out.
     */
    private boolean sharesGather(int threads) {
        return threads > 1 && g.batch() * g.groups() == 1 && chunks == 1 && pixelPanels < SPLIT_PANELS * threads;
    }

    /**
     * Pixel panels [pp0, pp1) × weight panels [panel0, panel1) of image {@code n}, group {@code grp}, on thread
     * {@code t}'s buffers.
     */
    private void convolve(Scratch s, int t, int n, int grp, int pp0, int pp1, int panel0, int panel1) {
        int k = g.patchSize();
        int inOff = (n * g.inChannels() + grp * g.inChannelsPerGroup()) * g.inH() * g.inW();
        float[] src = s.in;
        if (padded) {
            src = s.planes[t];
            if (s.planesOf[t] != n * g.groups() + grp) {
                copyIntoBorder(s.in, inOff, src);
                s.planesOf[t] = n * g.groups() + grp;
            }
            inOff = 0;
        }
        for (int p0 = 0; p0 < k; p0 += KC) {
            gather(src, inOff, p0, Math.min(KC, k - p0), pp0, pp1, s.pixels[t], 0);
            sweep(s, t, n, grp, pp0, pp1, panel0, panel1, p0, s.pixels[t], 0);
        }
    }

    /**
     * The K block from {@code p0} of pixel panels [pp0, pp1) (gathered at {@code a[aOff]}) × weight panels [panel0,
     * panel1) of image {@code n}, group {@code grp}, into thread {@code t}'s product blocks; after the last K block,
     * each panel's block to the output with the post-ops.
     */
    private void sweep(Scratch s, int t, int n, int grp, int pp0, int pp1, int panel0, int panel1, int p0, float[] a,
                       int aOff) {
        int k = g.patchSize();
        int kc = Math.min(KC, k - p0);
        boolean last = p0 + kc == k;
        int rows = (pp1 - pp0) * MR;
        int pix0 = pp0 * MR;
        int pix1 = Math.min(pixelOffset.length, pp1 * MR);
        float[] c = s.product[t];
        float[] w = weights[grp];
        Epilogue e = s.epilogue;
        for (int panel = panel0; panel < panel1; panel++) {
            int wOff = PackedGemm.panelOffset(g.outChannelsPerGroup(), k, NR, panel, p0);
            int cOff = (panel - panel0) * rows * NR;
            // Prefetching the next weight panel (kc·NR floats on) while this one is swept.
            if (last && e != null) {
                int channel = (grp * channelPanels + panel) * NR;
                micro.sweepByColumn(kc, pp1 - pp0, a, aOff, kc * MR, w, wOff, NR, c, cOff, NR, MR * NR, e.kernels,
                        e.scale, channel, e.bias, channel, null, e.alpha, e.beta, kc * NR, pix1 - pix0,
                        e.slopes, channel);
                transpose(s.out, s.outBase, c, cOff, n, grp, panel, pix0, pix1, null, null);
            } else {
                micro.sweep(kc, pp1 - pp0, a, aOff, kc * MR, w, wOff, NR, 0, c, cOff, NR, MR * NR, MR, p0 == 0,
                        s.post.integerSums(), kc * NR, pix1 - pix0);
                if (last) {
                    transpose(s.out, s.outBase, c, cOff, n, grp, panel, pix0, pix1, s.post, s.residual);
                }
            }
        }
    }

    /**
     * Copies the input planes of one image's group into the interior of the zero-bordered planes: the border is
     * written only when the scratch is created, the interior on every call.
     */
    private void copyIntoBorder(float[] in, int inOff, float[] planes) {
        copyIntoBorder(in, inOff, planes, 0, g.inChannelsPerGroup());
    }

    /** {@link #copyIntoBorder(float[], int, float[])} for channels [c0, c1) of the group only. */
    private void copyIntoBorder(float[] in, int inOff, float[] planes, int c0, int c1) {
        int rows = Math.min(g.inH(), planeH - g.padTop());
        int cols = Math.max(0, Math.min(g.inW(), planeW - g.padLeft()));
        for (int c = c0; c < c1; c++) {
            for (int y = 0; y < rows; y++) {
                System.arraycopy(in, inOff + (c * g.inH() + y) * g.inW(), planes,
                        (c * planeH + y + g.padTop()) * planeW + g.padLeft(), cols);
            }
        }
    }

    /**
     * Packs taps [p0, p0 + kc) of pixel panels [pp0, pp1) into MR-row panels from {@code a[aOff]}, kc·MR floats per
     * panel (and two floats of slack past the last: see below).
     */
    private void gather(float[] src, int srcOff, int p0, int kc, int pp0, int pp1, float[] a, int aOff) {
        int spatial = pixelOffset.length;
        for (int pp = pp0; pp < pp1; pp++) {
            int pix0 = pp * MR;
            int d = aOff + (pp - pp0) * kc * MR;
            int step = pix0 + MR <= spatial ? runStep[pp] : 0;
            int reach = step == 1 ? RUN.length() : WIDE.length();
            if (step > 0 && gatherLanes < reach) {
                step = 0;
            }
            int split = runSplit[pp];
            // Every read of the vector forms: `reach` floats from the run starts (the second extended back to lane
            // 0) at the last tap's offset (kOffset grows with the tap).
            int first = srcOff + pixelOffset[pix0];
            int second = step > 0 && split < MR ? srcOff + pixelOffset[pix0 + split] - split * step : first;
            if (step > 0 && kOffset[p0 + kc - 1] + Math.max(first, second) + reach <= src.length) {
                // Eight floats per tap stored at the tap's six: the two extra land on the next tap's (or the next
                // panel's) first values, which are written after them (taps and panels in order; the buffer has
                // two floats of slack past the last panel). Pixels two apart: sixteen floats loaded, the even
                // lanes moved to the first eight.
                if (step == 1 && split == MR) {
                    for (int p = p0; p < p0 + kc; p++, d += MR) {
                        FloatVector.fromArray(RUN, src, kOffset[p] + first).intoArray(a, d);
                    }
                } else if (step == 1) {
                    VectorMask<Float> m = SECOND_RUN[split];
                    for (int p = p0; p < p0 + kc; p++, d += MR) {
                        int o = kOffset[p];
                        FloatVector.fromArray(RUN, src, o + first)
                                .blend(FloatVector.fromArray(RUN, src, o + second), m).intoArray(a, d);
                    }
                } else if (split == MR) {
                    for (int p = p0; p < p0 + kc; p++, d += MR) {
                        ((FloatVector) FloatVector.fromArray(WIDE, src, kOffset[p] + first).rearrange(EVEN)
                                .reinterpretShape(RUN, 0)).intoArray(a, d);
                    }
                } else {
                    VectorMask<Float> m = SECOND_RUN_WIDE[split];
                    for (int p = p0; p < p0 + kc; p++, d += MR) {
                        int o = kOffset[p];
                        ((FloatVector) FloatVector.fromArray(WIDE, src, o + first)
                                .blend(FloatVector.fromArray(WIDE, src, o + second), m).rearrange(EVEN)
                                .reinterpretShape(RUN, 0)).intoArray(a, d);
                    }
                }
            } else if (pix0 + MR <= spatial) {
                // Six rows, as the micro-kernel's MR.
                int b0 = srcOff + pixelOffset[pix0];
                int b1 = srcOff + pixelOffset[pix0 + 1];
                int b2 = srcOff + pixelOffset[pix0 + 2];
                int b3 = srcOff + pixelOffset[pix0 + 3];
                int b4 = srcOff + pixelOffset[pix0 + 4];
                int b5 = srcOff + pixelOffset[pix0 + 5];
                for (int p = p0; p < p0 + kc; p++, d += MR) {
                    int o = kOffset[p];
                    a[d] = src[o + b0];
                    a[d + 1] = src[o + b1];
                    a[d + 2] = src[o + b2];
                    a[d + 3] = src[o + b3];
                    a[d + 4] = src[o + b4];
                    a[d + 5] = src[o + b5];
                }
            } else {
                // The last, partly filled panel: zeros past the last pixel.
                for (int p = p0; p < p0 + kc; p++, d += MR) {
                    for (int r = 0; r < MR; r++) {
                        a[d + r] = pix0 + r < spatial ? src[kOffset[p] + srcOff + pixelOffset[pix0 + r]] : 0f;
                    }
                }
            }
        }
    }

    /**
     * Weight panel {@code panel}'s block of the product ({@code c} from {@code cOff}, pixels [pix0, pix1) × NR
     * channels) to its channel rows of the NCHW output, each row then getting {@code post} in Java unless it is
     * {@code null} (applied in the tiles). A channel's pixels go by vector where the Vector API is 8 lanes or wider
     * (a gather of values NR apart, one store), the rest one by one.
     */
    private void transpose(float[] out, int outBase, float[] c, int cOff, int n, int grp, int panel, int pix0,
                           int pix1, PostOps post, float[] residual) {
        int cout = g.outChannelsPerGroup();
        int spatial = g.outH() * g.outW();
        int c0 = panel * NR;
        int outOff = outBase + (n * g.outChannels() + grp * cout + c0) * spatial;
        int pixels = pix1 - pix0;
        int vectorPixels = transposeLanes > 0 ? pixels - pixels % transposeLanes : 0;
        for (int j = 0; j < Math.min(NR, cout - c0); j++) {
            int row = outOff + j * spatial + pix0;
            for (int pix = 0; pix < vectorPixels; pix += transposeLanes) {
                FloatVector.fromArray(COLUMN, c, cOff + pix * NR + j, COLUMN_INDEX, 0).intoArray(out, row + pix);
            }
            for (int pix = vectorPixels; pix < pixels; pix++) {
                out[row + pix] = c[cOff + pix * NR + j];
            }
            if (post != null) {
                post.apply(out, row, pix1 - pix0, grp * cout + c0 + j, residual);
            }
        }
    }
}
