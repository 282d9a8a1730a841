package dev.infero.tf;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.infero.core.InferoException;
import dev.infero.core.InvalidModelException;
import dev.infero.tf.proto.Tf.BundleEntryProto;
import dev.infero.tf.proto.Tf.BundleHeaderProto;
import dev.infero.tf.proto.Tf.TensorProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A TensorFlow checkpoint ("tensor bundle", as in a SavedModel's {@code variables/}): {@code PREFIX.index} is a
 * LevelDB-format table (uncompressed blocks, as TensorFlow writes it) mapping each tensor name to a
 * {@link BundleEntryProto} (type, shape, shard, offset, size, masked CRC32C); the bytes are in
 * {@code PREFIX.data-SSSSS-of-NNNNN}. Every offset and size is checked against the file lengths before reading.
 */
public final class TensorBundle {
    private static final long TABLE_MAGIC = 0xdb4775248b80fb57L;
    private static final int FOOTER = 48;
    private static final int BLOCK_TRAILER = 5;

    private final Path prefix;
    private final BundleHeaderProto header;
    private final Map<String, BundleEntryProto> entries;

    private TensorBundle(Path prefix, BundleHeaderProto header, Map<String, BundleEntryProto> entries) {
        this.prefix = prefix;
        this.header = header;
        this.entries = entries;
    }

    /** Opens the bundle {@code prefix} ({@code .../variables/variables}). */
    public static TensorBundle open(Path prefix) {
        Path index = Path.of(prefix + ".index");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(index);
        } catch (NoSuchFileException e) {
            throw new InferoException("checkpoint index " + index + " does not exist");
        } catch (IOException e) {
            throw new InferoException("cannot read " + index + ": " + e.getMessage(), e);
        }
        Map<String, ByteString> table = readTable(bytes, index.toString());
        try {
            ByteString h = table.remove("");
            if (h == null) {
                throw new InvalidModelException(index + " has no bundle header (the entry with the empty key)");
            }
            BundleHeaderProto header = BundleHeaderProto.parseFrom(h);
            if (header.getEndianness() != BundleHeaderProto.Endianness.LITTLE) {
                throw new InvalidModelException(index + " is a big-endian checkpoint, which Infero does not read");
            }
            Map<String, BundleEntryProto> entries = new LinkedHashMap<>();
            for (var e : table.entrySet()) {
                entries.put(e.getKey(), BundleEntryProto.parseFrom(e.getValue()));
            }
            return new TensorBundle(prefix, header, entries);
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidModelException(index + " holds a corrupt entry: " + e.getMessage());
        }
    }

    public Map<String, BundleEntryProto> entries() {
        return entries;
    }

    /** The tensor {@code name} as a TensorProto with {@code tensor_content}, checked against its CRC32C. */
    public TensorProto tensor(String name) {
        BundleEntryProto e = entries.get(name);
        if (e == null) {
            throw new InvalidModelException("checkpoint " + prefix + " has no tensor '" + name + "'");
        }
        if (e.getSlicesCount() > 0) {
            throw new InvalidModelException("variable '" + name + "' of checkpoint " + prefix
                    + " is partitioned into slices, which Infero does not support");
        }
        int shards = Math.max(1, header.getNumShards());
        if (e.getShardId() < 0 || e.getShardId() >= shards) {
            throw new InvalidModelException("tensor '" + name + "' of " + prefix + " names shard " + e.getShardId() + " of "
                    + shards);
        }
        Path data = Path.of(String.format("%s.data-%05d-of-%05d", prefix, e.getShardId(), shards));
        try (FileChannel ch = FileChannel.open(data, StandardOpenOption.READ)) {
            long length = ch.size();
            if (e.getOffset() < 0 || e.getSize() < 0 || e.getSize() > Integer.MAX_VALUE - 8
                    || e.getOffset() + e.getSize() > length) {
                throw new InvalidModelException("tensor '" + name + "' of " + prefix + " lies at bytes " + e.getOffset()
                        + "+" + e.getSize() + ", beyond the end of " + data + " (" + length + " bytes)");
            }
            ByteBuffer buf = ByteBuffer.allocate((int) e.getSize());
            while (buf.hasRemaining()) {
                if (ch.read(buf, e.getOffset() + buf.position()) < 0) {
                    throw new InvalidModelException(data + " ended while reading tensor '" + name + "'");
                }
            }
            byte[] bytes = buf.array();
            CRC32C crc = new CRC32C();
            crc.update(bytes);
            if (e.getCrc32C() != 0 && mask((int) crc.getValue()) != e.getCrc32C()) {
                throw new InvalidModelException("tensor '" + name + "' in " + data + " fails its CRC32C check (corrupt file)");
            }
            return TensorProto.newBuilder().setDtype(e.getDtype()).setTensorShape(e.getShape())
                    .setTensorContent(ByteString.copyFrom(bytes)).build();
        } catch (NoSuchFileException ex) {
            throw new InferoException("checkpoint data file " + data + " does not exist");
        } catch (IOException ex) {
            throw new InferoException("cannot read " + data + ": " + ex.getMessage(), ex);
        }
    }

    /** LevelDB's masked CRC: rotate right by 15 and add a constant. */
    static int mask(int crc) {
        return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
    }

    /** All key/value pairs of an uncompressed LevelDB table. */
    static Map<String, ByteString> readTable(byte[] file, String what) {
        if (file.length < FOOTER) {
            throw new InvalidModelException(what + " is too short (" + file.length + " bytes) to be a checkpoint index");
        }
        ByteBuffer footer = ByteBuffer.wrap(file, file.length - FOOTER, FOOTER).order(ByteOrder.LITTLE_ENDIAN);
        if (ByteBuffer.wrap(file, file.length - 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong() != TABLE_MAGIC) {
            throw new InvalidModelException(what + " is not a TensorFlow checkpoint index (no table magic at its end)");
        }
        int[] pos = {file.length - FOOTER};
        varint(file, pos, what); // metaindex handle (unused)
        varint(file, pos, what);
        long indexOffset = varint(file, pos, what);
        long indexSize = varint(file, pos, what);
        Map<String, ByteString> out = new LinkedHashMap<>();
        for (Map.Entry<byte[], byte[]> handle : block(file, indexOffset, indexSize, what).entrySet()) {
            int[] hp = {0};
            byte[] h = handle.getValue();
            long offset = varint(h, hp, what);
            long size = varint(h, hp, what);
            for (Map.Entry<byte[], byte[]> kv : block(file, offset, size, what).entrySet()) {
                out.put(new String(kv.getKey(), java.nio.charset.StandardCharsets.UTF_8), ByteString.copyFrom(kv.getValue()));
            }
        }
        return out;
    }

    private static Map<byte[], byte[]> block(byte[] file, long offset, long size, String what) {
        if (offset < 0 || size < 4 || offset + size + BLOCK_TRAILER > file.length) {
            throw new InvalidModelException(what + ": a block at " + offset + "+" + size + " lies outside the file ("
                    + file.length + " bytes)");
        }
        int start = (int) offset;
        int end = (int) (offset + size);
        if (file[end] != 0) {
            throw new InvalidModelException(what + ": block at " + offset + " is compressed (type " + file[end]
                    + "); TensorFlow writes checkpoint indexes uncompressed");
        }
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int restarts = b.getInt(end - 4);
        long limit = end - 4 - 4L * restarts;
        if (restarts < 0 || limit < start) {
            throw new InvalidModelException(what + ": block at " + offset + " has a corrupt restart array");
        }
        Map<byte[], byte[]> entries = new LinkedHashMap<>();
        byte[] key = new byte[0];
        int[] p = {start};
        while (p[0] < limit) {
            long shared = varint(file, p, what);
            long nonShared = varint(file, p, what);
            long valueLength = varint(file, p, what);
            if (shared > key.length || p[0] + nonShared + valueLength > limit) {
                throw new InvalidModelException(what + ": corrupt entry in the block at " + offset);
            }
            byte[] k = new byte[(int) (shared + nonShared)];
            System.arraycopy(key, 0, k, 0, (int) shared);
            System.arraycopy(file, p[0], k, (int) shared, (int) nonShared);
            p[0] += (int) nonShared;
            byte[] v = java.util.Arrays.copyOfRange(file, p[0], p[0] + (int) valueLength);
            p[0] += (int) valueLength;
            entries.put(k, v);
            key = k;
        }
        return entries;
    }

    private static long varint(byte[] b, int[] pos, String what) {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos[0] >= b.length) {
                throw new InvalidModelException(what + ": truncated varint");
            }
            byte x = b[pos[0]++];
            result |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                return result;
            }
        }
        throw new InvalidModelException(what + ": corrupt varint");
    }
}
