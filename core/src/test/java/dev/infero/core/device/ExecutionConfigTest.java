package dev.infero.core.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.ResourceLimitException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExecutionConfigTest {
    @Test
    void latencyIsTheDefaultAndUsesOneStreamWithEveryCore() {
        ExecutionConfig c = ExecutionConfig.resolve(Map.of(), 8);
        assertEquals(PerformanceHint.LATENCY, c.hint());
        assertEquals(1, c.streams());
        assertEquals(8, c.threadsPerStream());
        assertEquals(1, c.optimalRequests());
    }

    @Test
    void throughputRunsOneStreamPerThread() {
        ExecutionConfig c = ExecutionConfig.resolve(Map.of("PERFORMANCE_HINT", "THROUGHPUT"), 8);
        assertEquals(8, c.streams());
        assertEquals(1, c.threadsPerStream());
        assertEquals(8, c.optimalRequests());
        ExecutionConfig limited = ExecutionConfig.resolve(Map.of("PERFORMANCE_HINT", "tput",
                "INFERENCE_NUM_THREADS", "2"), 8);
        assertEquals(2, limited.streams());
    }

    @Test
    void explicitStreamsWinOverTheHintAndShareTheThreads() {
        ExecutionConfig c = ExecutionConfig.resolve(Map.of("PERFORMANCE_HINT", "LATENCY", "NUM_STREAMS", "2",
                "INFERENCE_NUM_THREADS", "8"), 4);
        assertEquals(2, c.streams());
        assertEquals(4, c.threadsPerStream());
        assertEquals("2", c.properties().get("NUM_STREAMS"));
        assertEquals("2", c.properties().get("OPTIMAL_NUMBER_OF_INFER_REQUESTS"));
        assertEquals(3, ExecutionConfig.resolve(Map.of("PERFORMANCE_HINT", "NONE", "NUM_STREAMS", "3"), 2).streams());
        assertEquals(2, ExecutionConfig.resolve(Map.of("NUM_STREAMS", "AUTO"), 2).streams());
    }

    @Test
    void requestsCanBeCappedAndProfilingEnabled() {
        ExecutionConfig c = ExecutionConfig.resolve(Map.of("PERFORMANCE_HINT", "THROUGHPUT",
                "PERFORMANCE_HINT_NUM_REQUESTS", "3", "PERF_COUNT", "YES"), 8);
        assertEquals(3, c.optimalRequests());
        assertTrue(c.perfCount());
    }

    @Test
    void rejectsUnknownKeysAndBadValues() {
        InferoException unknown = assertThrows(InferoException.class,
                () -> ExecutionConfig.resolve(Map.of("NUM_STREAM", "2"), 2));
        assertTrue(unknown.getMessage().startsWith("unsupported property 'NUM_STREAM'"), unknown.getMessage());
        assertEquals("NUM_STREAMS must be a positive integer, got '0'", assertThrows(InferoException.class,
                () -> ExecutionConfig.resolve(Map.of("NUM_STREAMS", "0"), 2)).getMessage());
        assertEquals("PERFORMANCE_HINT must be LATENCY, THROUGHPUT or NONE, got 'fast'", assertThrows(
                InferoException.class, () -> ExecutionConfig.resolve(Map.of("PERFORMANCE_HINT", "fast"), 2))
                .getMessage());
    }

    @Test
    void threadAndStreamCountsBeyondSixteenPerCoreAreAResourceLimitNamingTheKey() {
        ResourceLimitException e = assertThrows(ResourceLimitException.class,
                () -> ExecutionConfig.resolve(Map.of("INFERENCE_NUM_THREADS", "100000"), 2));
        assertEquals("INFERENCE_NUM_THREADS is 100000, more than 16 per core (32 on this machine's 2 cores)",
                e.getMessage());
        e = assertThrows(ResourceLimitException.class, () -> ExecutionConfig.resolve(Map.of("PERFORMANCE_HINT",
                "THROUGHPUT", "NUM_STREAMS", "33"), 2));
        assertTrue(e.getMessage().startsWith("NUM_STREAMS is 33"), e.getMessage());
        assertEquals(32, ExecutionConfig.resolve(Map.of("INFERENCE_NUM_THREADS", "32"), 2).threads());
    }
}
