/**
 * Element-wise activations (ReLU, PReLU, Clamp, Elu, Gelu, HSwish, Mish, Sigmoid, SoftPlus, SoftSign), vectorized
 * where the reference loop matters; registered by the element-wise op set.
 */
package dev.infero.core.ops.activation;
