package dev.infero.cpu.jit;

import static dev.infero.cpu.jit.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Generated code runs: loops with short and long jumps, floats read and written in Java arrays, closed buffers. */
class CodeBufferTest {
    private static final MethodHandle LONG_LONG = Linker.nativeLinker().downcallHandle(
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), Linker.Option.critical(false));
    private static final MethodHandle ARRAY_LONG = Linker.nativeLinker().downcallHandle(
            FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), Linker.Option.critical(true));

    @BeforeAll
    static void x86() {
        assumeTrue(CpuFeatures.platformSupported(), "generated code needs x86-64 Linux");
    }

    @Test
    void loopsWithShortAndLongJumps() throws Throwable {
        // long f(long n): sum of 1..n, the loop body padded past 127 bytes on request so jumps take the long form.
        for (int pad : new int[] {0, 200}) {
            Assembler a = new Assembler();
            Assembler.Label done = a.newLabel();
            Assembler.Label loop = a.newLabel();
            a.xor32(RAX, RAX);
            a.test(RDI, RDI);
            a.jcc(Assembler.Cond.LE, done);
            a.bind(loop);
            a.add(RAX, RDI);
            for (int i = 0; i < pad; i++) {
                a.nop();
            }
            a.dec(RDI);
            a.jcc(Assembler.Cond.NE, loop);
            a.bind(done);
            a.ret();
            try (CodeBuffer code = CodeBuffer.of(a.code())) {
                assertEquals(5050L, (long) LONG_LONG.invokeExact(code.entry(), 100L));
                assertEquals(0L, (long) LONG_LONG.invokeExact(code.entry(), -3L));
            }
        }
    }

    @Test
    void writesJavaArraysThroughHeapSegments() throws Throwable {
        CpuFeatures f = CpuFeatures.host();
        assumeTrue(f.hasAvx2());
        // void f(float* p, long n): p[i] = p[i] * 2 + 1 for n a multiple of 8 (AVX2).
        Assembler a = new Assembler();
        a.mov32(RAX, Float.floatToIntBits(2f));
        a.mov(mem(RSP, -8), RAX);
        a.vbroadcastss(ymm(1), mem(RSP, -8));
        a.mov32(RAX, Float.floatToIntBits(1f));
        a.mov(mem(RSP, -8), RAX);
        a.vbroadcastss(ymm(2), mem(RSP, -8));
        Assembler.Label loop = a.newLabel();
        a.bind(loop);
        a.vmovups(ymm(0), mem(RDI));
        a.vfmadd213ps(ymm(0), ymm(1), ymm(2));
        a.vmovups(mem(RDI), ymm(0));
        a.add(RDI, 32);
        a.sub(RSI, 8);
        a.jcc(Assembler.Cond.G, loop);
        a.vzeroupper();
        a.ret();
        float[] data = new float[24];
        for (int i = 0; i < data.length; i++) {
            data[i] = i;
        }
        try (CodeBuffer code = CodeBuffer.of(a.code())) {
            ARRAY_LONG.invokeExact(code.entry(), MemorySegment.ofArray(data), 16L);
        }
        for (int i = 0; i < data.length; i++) {
            assertEquals(i < 16 ? 2f * i + 1 : i, data[i], "element " + i);
        }
    }

    @Test
    void closedBufferRefusesCalls() throws Throwable {
        Assembler a = new Assembler();
        a.mov(RAX, RDI);
        a.ret();
        CodeBuffer code = CodeBuffer.of(a.code());
        MemorySegment entry = code.entry();
        assertEquals(7L, (long) LONG_LONG.invokeExact(entry, 7L));
        assertTrue(code.isAlive());
        code.close();
        code.close();
        assertFalse(code.isAlive());
        assertThrows(IllegalStateException.class, () -> {
            long ignored = (long) LONG_LONG.invokeExact(entry, 7L);
        });
    }

    @Test
    void cpuFeaturesAreConsistent() {
        CpuFeatures f = CpuFeatures.host();
        assertFalse(f.vendor().isEmpty(), f.toString());
        if (f.avx512bw() || f.avx512vl() || f.avx512dq() || f.avx512vnni()) {
            assertTrue(f.avx512f(), f.toString());
        }
        if (f.fma()) {
            assertTrue(f.names().contains("fma"));
        }
    }

    @Test
    void unboundLabelIsAnError() {
        Assembler a = new Assembler();
        a.jmp(a.newLabel());
        assertThrows(IllegalStateException.class, a::code);
    }
}
