package dev.infero.core.device;

import java.util.List;

/** A graph compiled for one device. Thread-safe: any number of requests may run on it at once. */
public interface Executable extends AutoCloseable {
    List<PortInfo> inputs();

    List<PortInfo> outputs();

    /** A new request with its own buffers; a request is used by one thread at a time. */
    ExecutionRequest newRequest();

    @Override
    void close();
}
