/**
 * The MXNet frontend: a {@code *-symbol.json} graph (read with Jackson) and its {@code *-NNNN.params} weights
 * (MXNet's NDArray list format, read by {@link dev.infero.mxnet.MxnetParams}), translated op by op into Infero's graph
 * ({@link dev.infero.mxnet.MxnetImporter}) and registered as frontend {@code mxnet}
 * ({@link dev.infero.mxnet.MxnetFrontend}).
 */
package dev.infero.mxnet;
