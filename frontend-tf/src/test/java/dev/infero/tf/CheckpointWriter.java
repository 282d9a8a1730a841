package dev.infero.tf;

import com.google.protobuf.ByteString;
import dev.infero.tf.proto.Tf.BundleEntryProto;
import dev.infero.tf.proto.Tf.BundleHeaderProto;
import dev.infero.tf.proto.Tf.DataType;
import dev.infero.tf.proto.Tf.TensorShapeProto;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/** Writes a TensorFlow checkpoint (tensor bundle) as TensorFlow's BundleWriter does, for SavedModel tests. */
final class CheckpointWriter {
    private final Map<String, ByteString> entries = new TreeMap<>();
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();

    CheckpointWriter add(String name, float[] values, TensorShapeProto shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        byte[] bytes = b.array();
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        entries.put(name, BundleEntryProto.newBuilder().setDtype(DataType.DT_FLOAT).setShape(shape).setShardId(0)
                .setOffset(data.size()).setSize(bytes.length).setCrc32C(TensorBundle.mask((int) crc.getValue()))
                .build().toByteString());
        data.writeBytes(bytes);
        return this;
    }

    void write(Path prefix) throws Exception {
        Map<String, ByteString> all = new TreeMap<>(entries);
        all.put("", BundleHeaderProto.newBuilder().setNumShards(1).build().toByteString());
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        byte[] dataBlock = block(all);
        long dataSize = dataBlock.length - 5;
        file.writeBytes(dataBlock);
        long metaOffset = file.size();
        byte[] meta = block(Map.of());
        file.writeBytes(meta);
        long indexOffset = file.size();
        ByteArrayOutputStream handle = new ByteArrayOutputStream();
        varint(handle, 0);
        varint(handle, dataSize);
        byte[] index = block(Map.of("\u00ff", ByteString.copyFrom(handle.toByteArray())));
        file.writeBytes(index);
        ByteArrayOutputStream footer = new ByteArrayOutputStream();
        varint(footer, metaOffset);
        varint(footer, meta.length - 5);
        varint(footer, indexOffset);
        varint(footer, index.length - 5);
        while (footer.size() < 40) {
            footer.write(0);
        }
        footer.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0xdb4775248b80fb57L).array());
        file.writeBytes(footer.toByteArray());
        Files.write(Path.of(prefix + ".index"), file.toByteArray());
        Files.write(Path.of(prefix + ".data-00000-of-00001"), data.toByteArray());
    }

    /** A block without prefix compression, one restart point, and a 5-byte trailer (no compression). */
    private static byte[] block(Map<String, ByteString> kv) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (var e : new TreeMap<>(kv).entrySet()) {
            byte[] k = e.getKey().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            varint(b, 0);
            varint(b, k.length);
            varint(b, e.getValue().size());
            b.writeBytes(k);
            b.writeBytes(e.getValue().toByteArray());
        }
        b.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(0).putInt(1).array());
        b.writeBytes(new byte[5]);
        return b.toByteArray();
    }

    private static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
