/**
 * Batch inference on Apache Spark: {@link dev.infero.spark.InferoModel} scores a column of images or tensors with an
 * Infero model in the style of a Spark ML transformer ({@code InferoModel.load(path).transform(df)}). The model's
 * bytes are broadcast from the driver, every executor JVM compiles the model once and each task thread runs its own
 * infer request over a streamed partition. {@link dev.infero.spark.SparkBatchCommand} is the CLI's
 * {@code infero spark-batch}. See docs/spark.md for the executor JVM options Infero needs.
 */
package dev.infero.spark;
