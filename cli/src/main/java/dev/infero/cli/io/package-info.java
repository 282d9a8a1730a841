/**
 * Console and file formats of the CLI: tensors as text and the JSON writer of its report files.
 */
package dev.infero.cli.io;
