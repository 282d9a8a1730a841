/**
 * The fixed set of worker threads that splits one kernel's work among themselves and the calling thread; threads
 * are created once, with the stream, never per inference.
 */
package dev.infero.cpu.parallel;
