package dev.infero.serve;

import dev.infero.serve.client.InferoClient;
import java.net.URI;

/** What the server tests share to start a server and talk to it on this machine. */
final class TestServers {
    private TestServers() {
    }

    /** A test server's options: REST on a free port, no gRPC listener, model folders not polled. */
    static ServeOptions restOnly() {
        return ServeOptions.defaults().withPorts(0, -1).withPollSeconds(0);
    }

    /** The address of {@code server}'s REST listener on 127.0.0.1, followed by {@code path}. */
    static URI rest(InferoServer server, String path) {
        return URI.create("http://127.0.0.1:" + server.restPort() + path);
    }

    /** A client of {@code server}'s REST listener. */
    static InferoClient client(InferoServer server) {
        return new InferoClient(rest(server, ""));
    }
}
