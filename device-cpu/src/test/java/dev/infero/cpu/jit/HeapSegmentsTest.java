package dev.infero.cpu.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeapSegmentsTest {
    @Test
    void aTableMakesEachArraysSegmentOnceAndKeepsItThroughGrowth() {
        HeapSegments table = new HeapSegments();
        List<float[]> arrays = new ArrayList<>();
        List<java.lang.foreign.MemorySegment> first = new ArrayList<>();
        // Past the initial capacity several times: entries survive each rehash.
        for (int i = 0; i < 1000; i++) {
            float[] a = new float[1 + i % 7];
            arrays.add(a);
            first.add(table.of(a));
            assertEquals(a.length * 4L, first.get(i).byteSize());
        }
        int[] ints = new int[5];
        var intSegment = table.of(ints);
        assertEquals(1001, table.size());
        for (int i = 0; i < arrays.size(); i++) {
            assertSame(first.get(i), table.of(arrays.get(i)), "array " + i);
            assertEquals(arrays.get(i), first.get(i).heapBase().orElseThrow());
        }
        assertSame(intSegment, table.of(ints));
        assertEquals(1001, table.size());
        table.clear();
        assertEquals(0, table.size());
        var again = table.of(arrays.get(3));
        assertNotSame(first.get(3), again);
        assertSame(again, table.of(arrays.get(3)));
    }

    @Test
    void withoutATableEachCallMakesASegment() {
        float[] a = new float[3];
        HeapSegments before = HeapSegments.bind(null);
        try {
            assertSame(HeapSegments.UNBOUND, HeapSegments.current());
            assertNotSame(HeapSegments.current().of(a), HeapSegments.current().of(a));
            assertEquals(0, HeapSegments.UNBOUND.size());
        } finally {
            HeapSegments.bind(before);
        }
    }

    @Test
    void bindingIsPerThreadAndRestorable() throws Exception {
        HeapSegments table = new HeapSegments();
        HeapSegments before = HeapSegments.bind(table);
        try {
            assertSame(table, HeapSegments.current());
            HeapSegments[] seen = new HeapSegments[1];
            Thread t = new Thread(() -> seen[0] = HeapSegments.current());
            t.start();
            t.join();
            assertSame(HeapSegments.UNBOUND, seen[0]);
        } finally {
            assertSame(table, HeapSegments.bind(before));
        }
        assertSame(before, HeapSegments.current());
    }
}
