package dev.infero.cpu;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.cpu.jit.KernelCache;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The compiled plans of a model with dynamic input dimensions (face detectors at any H×W), one per concrete set of
 * input shapes seen at run time. A plan is built as for a static model: a copy of the graph gets the concrete
 * Parameter shapes, shapes are re-inferred (shape subgraphs fold to constants) and {@link ExecutionPlan} picks the
 * fused, fast kernels and plans the buffers. So a repeated shape runs at static-model speed and is never recompiled.
 *
 * <p>At most {@code capacity} plans are kept (the {@code CPU_RUNTIME_CACHE_CAPACITY} property, default 8), least
 * recently used out first. Shapes whose specialised graph still has dynamic values (data-dependent shapes such as
 * NonZero's) get no plan: requests run them on the model's reference steps, which infer shapes step by step.
 * Generated code goes into the model's kernel cache (keys name the code, so equal kernels are shared across shapes)
 * and is unmapped with the model. Thread-safe: shared by the requests of a compiled model.
 */
final class ShapePlanCache {
    private final Graph graph;
    private final int capacity;
    private final KernelCache jit;
    /** Access-ordered: the eldest entry is the least recently used. A null plan marks a shape that stays dynamic. */
    private final LinkedHashMap<Key, ExecutionPlan> plans;
    private long compiled;
    private long reused;

    ShapePlanCache(Graph graph, int capacity, KernelCache jit) {
        this.graph = graph.copy();
        this.capacity = capacity;
        this.jit = jit;
        this.plans = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, ExecutionPlan> eldest) {
                return size() > ShapePlanCache.this.capacity;
            }
        };
    }

    /** Whether {@code graph}'s plan {@code plan} would gain from specialisation: some input dimension is dynamic. */
    static boolean applies(Graph graph, ExecutionPlan plan) {
        return !plan.isStatic && graph.parameters().stream().anyMatch(p -> !p.output(0).shape().isStatic());
    }

    /** The static plan for these input shapes (compiled on first use), or {@code null} when they stay dynamic. */
    synchronized ExecutionPlan planFor(Key key) {
        if (plans.containsKey(key)) {
            reused++;
            return plans.get(key);
        }
        Graph g = graph.copy();
        for (int i = 0; i < key.shapes.length; i++) {
            Node p = g.parameters().get(i);
            if (!p.output(0).shape().isStatic()) {
                g.reshape(p, PartialShape.of(key.shapes[i]));
            }
        }
        ExecutionPlan plan = KernelCache.compiling(jit, () -> ExecutionPlan.of(g));
        compiled++;
        plan = plan.isStatic ? plan : null;
        plans.put(key, plan);
        return plan;
    }

    /** Cache statistics as read-only properties of the compiled model (printed by {@code benchmark -pc}). */
    synchronized Map<String, String> properties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("SHAPE_PLANS_CACHED", Integer.toString(plans.size()));
        p.put("SHAPE_PLANS_COMPILED", Long.toString(compiled));
        p.put("SHAPE_PLANS_REUSED", Long.toString(reused));
        return p;
    }

    synchronized int size() {
        return plans.size();
    }

    synchronized long compiledCount() {
        return compiled;
    }

    /** The concrete shapes of a run's inputs, in parameter order. */
    record Key(int[][] shapes) {
        static Key of(Tensor[] slots, int[] inputSlots) {
            int[][] s = new int[inputSlots.length][];
            for (int i = 0; i < s.length; i++) {
                s[i] = slots[inputSlots[i]].shape().clone();
            }
            return new Key(s);
        }

        boolean matches(Tensor[] slots, int[] inputSlots) {
            for (int i = 0; i < shapes.length; i++) {
                if (!Arrays.equals(shapes[i], slots[inputSlots[i]].shape())) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.deepEquals(shapes, k.shapes);
        }

        @Override
        public int hashCode() {
            return Arrays.deepHashCode(shapes);
        }

        @Override
        public String toString() {
            return Arrays.deepToString(shapes);
        }
    }

    /**
     * One request's side: its buffers for each specialised plan it ran lately (as many as the cache holds), so
     * alternating between cached shapes allocates nothing. Not thread-safe, as the request.
     */
    final class Requests {
        private final WorkerPools pools;
        private final LinkedHashMap<Key, CpuRequest> byShape = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, CpuRequest> eldest) {
                return size() > capacity;
            }
        };
        private Key last;
        private CpuRequest lastRequest;
        private boolean profiling;

        Requests(WorkerPools pools) {
            this.pools = pools;
        }

        /**
         * The request of the specialised plan for the inputs in {@code slots}, with those inputs bound, or
         * {@code null} when their shapes stay dynamic after specialisation.
         */
        CpuRequest bind(Tensor[] slots, int[] inputSlots) {
            if (last == null || !last.matches(slots, inputSlots)) {
                last = Key.of(slots, inputSlots);
                lastRequest = byShape.get(last);
                if (lastRequest == null) {
                    ExecutionPlan plan = planFor(last);
                    if (plan != null) {
                        lastRequest = new CpuRequest(plan, pools);
                        lastRequest.setProfiling(profiling);
                        byShape.put(last, lastRequest);
                    }
                }
            }
            if (lastRequest != null) {
                for (int i = 0; i < inputSlots.length; i++) {
                    lastRequest.setInput(i, slots[inputSlots[i]]);
                }
            }
            return lastRequest;
        }

        void setProfiling(boolean enabled) {
            profiling = enabled;
            byShape.values().forEach(r -> r.setProfiling(enabled));
        }
    }
}
