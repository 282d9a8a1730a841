/**
 * Infero's core: the intermediate representation every frontend produces and every device compiles, with no
 * dependency beyond the JDK (and the Vector API). {@link dev.infero.core.InferoException} is the one error type for
 * bad models and input; its subclass {@link dev.infero.core.UnsupportedModelException} marks models that are valid
 * but use what Infero does not implement.
 */
package dev.infero.core;
