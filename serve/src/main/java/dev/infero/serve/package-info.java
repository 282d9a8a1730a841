/**
 * {@code infero serve}: a model server on the KServe v2 inference protocol (REST with the binary tensor extension, and
 * gRPC), configured like OpenVINO Model Server ({@code config.json}, model repositories with numeric version folders,
 * hot reload), with per-version request pools, dynamic batching, a bounded queue, Prometheus metrics and a JSON access
 * log. {@link dev.infero.serve.InferoServer} is the entry point; {@link dev.infero.serve.client.InferoClient} is a
 * client for the REST protocol.
 */
package dev.infero.serve;
