package dev.infero.serve;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.infero.core.InferoException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The structured access log: one JSON object per line and request, for example
 * {@code {"time":"2026-12-06T19:00:00.123Z","protocol":"rest","method":"POST","path":"/v2/models/face/infer",
 * "status":200,"model":"face","version":"1","id":"r1","bytes_in":196723,"bytes_out":3583,"duration_ms":4.71,
 * "remote":"127.0.0.1:53122"}} ({@code error} is added for failed requests). Written to standard error or appended to
 * a file; lines are written whole, one at a time.
 */
final class AccessLog implements AutoCloseable {
    private static final JsonFactory FACTORY = new JsonFactory();

    /** One request's facts. */
    record Entry(String protocol, String method, String path, int status, String model, String version, String id,
            long bytesIn, long bytesOut, long nanos, String remote, String error) {
    }

    private final OutputStream out;
    private final boolean ownsStream;

    private AccessLog(OutputStream out, boolean ownsStream) {
        this.out = out;
        this.ownsStream = ownsStream;
    }

    /** {@code null}: no log; {@code "-"}: standard error; else a file appended to. */
    static AccessLog open(String target) {
        if (target == null) {
            return null;
        }
        if (target.equals("-")) {
            return new AccessLog(System.err, false);
        }
        try {
            Path p = Path.of(target);
            if (p.toAbsolutePath().getParent() != null) {
                Files.createDirectories(p.toAbsolutePath().getParent());
            }
            return new AccessLog(Files.newOutputStream(p, StandardOpenOption.CREATE, StandardOpenOption.APPEND),
                    true);
        } catch (IOException e) {
            throw new InferoException("cannot open the access log " + target + ": " + e.getMessage(), e);
        }
    }

    void write(Entry e) {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(line, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("time", Instant.now().toString());
            g.writeStringField("protocol", e.protocol());
            g.writeStringField("method", e.method());
            g.writeStringField("path", e.path());
            g.writeNumberField("status", e.status());
            if (e.model() != null) {
                g.writeStringField("model", e.model());
            }
            if (e.version() != null) {
                g.writeStringField("version", e.version());
            }
            if (e.id() != null) {
                g.writeStringField("id", e.id());
            }
            g.writeNumberField("bytes_in", e.bytesIn());
            g.writeNumberField("bytes_out", e.bytesOut());
            g.writeNumberField("duration_ms", Math.round(e.nanos() / 1e4) / 100.0);
            if (e.remote() != null) {
                g.writeStringField("remote", e.remote());
            }
            if (e.error() != null) {
                g.writeStringField("error", e.error());
            }
            g.writeEndObject();
        } catch (IOException ex) {
            return;
        }
        line.write('\n');
        synchronized (this) {
            try {
                line.writeTo(out);
                out.flush();
            } catch (IOException ignored) {
                // a full disk must not fail requests
            }
        }
    }

    @Override
    public void close() {
        if (ownsStream) {
            try {
                out.close();
            } catch (IOException ignored) {
                // closing
            }
        } else if (out instanceof PrintStream ps) {
            ps.flush();
        }
    }
}
