package dev.infero.api.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Headers are compared byte for byte with what numpy 2.x {@code np.save} writes for the same arrays. */
class NpyTest {
    @TempDir
    Path dir;

    /** numpy's v1.0 header: magic, version, little-endian length, the dict padded with spaces to 128 bytes, '\n'. */
    private static byte[] numpyHeader(String dict) {
        byte[] h = new byte[128];
        Arrays.fill(h, (byte) ' ');
        byte[] prefix = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 'v', 0};
        System.arraycopy(prefix, 0, h, 0, prefix.length);
        byte[] d = dict.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(d, 0, h, 10, d.length);
        h[127] = '\n';
        return h;
    }

    @Test
    void writesTheHeaderNumpyWrites() {
        byte[] bytes = Npy.toBytes(Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3));
        assertArrayEquals(numpyHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"),
                Arrays.copyOf(bytes, 128));
        assertEquals(128 + 24, bytes.length);
        assertEquals(5f, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getFloat(128 + 20));
    }

    @Test
    void scalarAndOneDimensionalShapesAreSpelledAsPythonTuples() {
        assertArrayEquals(numpyHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (), }"),
                Arrays.copyOf(Npy.toBytes(Tensor.of(new double[] {3.5})), 128));
        Tensor u8 = Tensor.allocate(ElementType.U8, 3);
        assertArrayEquals(numpyHeader("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }"),
                Arrays.copyOf(Npy.toBytes(u8), 128));
        Tensor bool = Tensor.allocate(ElementType.BOOLEAN, 2);
        assertArrayEquals(numpyHeader("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }"),
                Arrays.copyOf(Npy.toBytes(bool), 128));
    }

    @Test
    void everyDtypeRoundTrips() {
        for (ElementType type : ElementType.values()) {
            if (type == ElementType.BF16 || type == ElementType.F8E8M0 || type.miniFloat() != null || type.bits() < 8) {
                continue; // numpy has no dtype for these (see bf16HasNoNumpyDtype)
            }
            Tensor t = Tensor.allocate(type, 2, 2);
            for (int i = 0; i < 4; i++) {
                t.setDouble(i, type == ElementType.BOOLEAN ? i % 2 : i * 3 + 1);
            }
            Path file = dir.resolve(type + ".npy");
            Npy.write(file, t);
            Tensor back = Npy.read(file);
            assertTrue(t.contentEquals(back), type + ": " + back);
        }
    }

    @Test
    void bf16HasNoNumpyDtype() {
        InferoException e = assertThrows(InferoException.class,
                () -> Npy.toBytes(Tensor.allocate(ElementType.BF16, 1)));
        assertEquals("bf16 tensors have no .npy dtype; convert them to f32 first", e.getMessage());
    }

    /** A file with an arbitrary header: version, dict, then data. */
    private static byte[] file(int major, String dict, byte[] data) {
        int prefix = major == 1 ? 10 : 12;
        ByteBuffer b = ByteBuffer.allocate(prefix + dict.length() + 1 + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            b.putShort((short) (dict.length() + 1));
        } else {
            b.putInt(dict.length() + 1);
        }
        b.put(dict.getBytes(StandardCharsets.UTF_8)).put((byte) '\n').put(data);
        return b.array();
    }

    @Test
    void readsVersion2And3Headers() {
        byte[] data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(7).putInt(-2).array();
        Tensor t = Npy.read(file(2, "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", data), "x.npy");
        assertEquals(ElementType.I32, t.type());
        assertArrayEquals(new int[] {7, -2}, t.ints());
        byte[] le = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x3C00).array();
        Tensor h = Npy.read(file(3, "{'descr': '<f2', 'fortran_order': False, 'shape': (1, 1), }", le), "h.npy");
        assertEquals(1.0, h.getDouble(0));
        assertArrayEquals(new int[] {1, 1}, h.shape());
    }

    @Test
    void bigEndianIsRejectedClearly() {
        InferoException e = assertThrows(InferoException.class, () -> Npy.read(
                file(1, "{'descr': '>i4', 'fortran_order': False, 'shape': (1,), }", new byte[4]), "b.npy"));
        assertEquals("b.npy holds big-endian data ('>i4'); save it little-endian, e.g. with numpy's astype('<i4')",
                e.getMessage());
    }

    @Test
    void fortranOrderIsRejectedClearly() {
        InferoException e = assertThrows(InferoException.class, () -> Npy.read(
                file(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", new byte[16]), "f.npy"));
        assertEquals("f.npy holds a Fortran-ordered (column-major) array; save it in C order "
                + "(numpy.ascontiguousarray) instead", e.getMessage());
    }

    @Test
    void badFilesGiveOneLineErrors() {
        assertEquals("x.npy is not a .npy file (no \\x93NUMPY signature)", assertThrows(InferoException.class,
                () -> Npy.read("PK\3\4 zip".getBytes(StandardCharsets.ISO_8859_1), "x.npy")).getMessage());
        assertEquals("t.npy is truncated: shape [4] of <f4 needs 16 data bytes, the file holds 8",
                assertThrows(InferoException.class, () -> Npy.read(
                        file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", new byte[8]), "t.npy"))
                        .getMessage());
        assertEquals("c.npy has dtype 'c8'; supported are f2 f4 f8 i1 u1 i2 u2 i4 u4 i8 u8 b1",
                assertThrows(InferoException.class, () -> Npy.read(
                        file(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", new byte[8]), "c.npy"))
                        .getMessage());
        assertEquals("r.npy holds a structured (record) array, which is not supported",
                assertThrows(InferoException.class, () -> Npy.read(
                        file(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", new byte[4]),
                        "r.npy")).getMessage());
        Path missing = dir.resolve("missing.npy");
        assertEquals("file " + missing + " does not exist",
                assertThrows(InferoException.class, () -> Npy.read(missing)).getMessage());
    }
}
