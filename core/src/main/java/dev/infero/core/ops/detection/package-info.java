/**
 * Object-detection ops of OpenVINO's SSD models: PriorBox, PriorBoxClustered and DetectionOutput, with their IR
 * factories ({@code DetectionOps}).
 */
package dev.infero.core.ops.detection;
