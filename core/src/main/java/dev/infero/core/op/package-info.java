/**
 * The op contract and the op tables: {@link dev.infero.core.op.Op} (type, version, attributes, shape inference,
 * reference evaluation), {@link dev.infero.core.op.AttributeSource} and {@link dev.infero.core.op.AttributeSink}
 * (attributes in and out, as the IR spells them) and {@link dev.infero.core.op.OpRegistry}, which builds the table
 * of factories by type and opset from the op sets; each op set fills the {@link dev.infero.core.op.OpFactories} it is
 * given, so the op packages never depend on the registry.
 */
package dev.infero.core.op;
