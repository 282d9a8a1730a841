package dev.infero.core.ops.recurrent;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One gate activation of a recurrent cell, with its alpha and beta resolved. Names are OpenVINO's lower-case
 * spellings ({@code sigmoid}, {@code tanh}, {@code relu}) plus the other functions ONNX's RNN operators allow
 * ({@code affine}, {@code leakyrelu}, {@code thresholdedrelu}, {@code scaledtanh}, {@code hardsigmoid}, {@code elu},
 * {@code softsign}, {@code softplus}). As in ONNX Runtime, the {@code activations_alpha}/{@code activations_beta}
 * lists are consumed in order by the activations that take them; a function whose value is not listed gets the
 * default of the ONNX operator of that name.
 */
record RecurrentActivation(String name, double alpha, double beta) {
    private static final List<String> NAMES = List.of("sigmoid", "tanh", "relu", "affine", "leakyrelu",
            "thresholdedrelu", "scaledtanh", "hardsigmoid", "elu", "softsign", "softplus");

    /** Whether {@code name} (any case) is a function a recurrent cell can apply. */
    static boolean known(String name) {
        return NAMES.contains(name.toLowerCase(Locale.ROOT));
    }

    /** Resolves {@code names} with the alpha and beta lists, consumed in order by the functions that take them. */
    static List<RecurrentActivation> resolve(List<String> names, float[] alphas, float[] betas) {
        List<RecurrentActivation> out = new ArrayList<>();
        int a = 0;
        int b = 0;
        for (String raw : names) {
            String name = raw.toLowerCase(Locale.ROOT);
            double alpha = 0;
            double beta = 0;
            if (usesAlpha(name)) {
                alpha = a < alphas.length ? alphas[a++] : defaultAlpha(name);
            }
            if (usesBeta(name)) {
                beta = b < betas.length ? betas[b++] : defaultBeta(name);
            }
            out.add(new RecurrentActivation(name, alpha, beta));
        }
        return out;
    }

    private static boolean usesAlpha(String name) {
        return switch (name) {
            case "affine", "leakyrelu", "thresholdedrelu", "scaledtanh", "hardsigmoid", "elu" -> true;
            default -> false;
        };
    }

    private static boolean usesBeta(String name) {
        return switch (name) {
            case "affine", "scaledtanh", "hardsigmoid" -> true;
            default -> false;
        };
    }

    private static double defaultAlpha(String name) {
        return switch (name) {
            case "leakyrelu" -> 0.01;
            case "hardsigmoid" -> 0.2;
            default -> 1.0;
        };
    }

    private static double defaultBeta(String name) {
        return switch (name) {
            case "hardsigmoid" -> 0.5;
            case "scaledtanh" -> 1.0;
            default -> 0.0;
        };
    }

    double apply(double x) {
        return switch (name) {
            case "sigmoid" -> 1 / (1 + Math.exp(-x));
            case "tanh" -> Math.tanh(x);
            case "relu" -> Math.max(x, 0);
            case "affine" -> alpha * x + beta;
            case "leakyrelu" -> x >= 0 ? x : alpha * x;
            case "thresholdedrelu" -> x > alpha ? x : 0;
            case "scaledtanh" -> alpha * Math.tanh(beta * x);
            case "hardsigmoid" -> Math.max(0, Math.min(1, alpha * x + beta));
            case "elu" -> x >= 0 ? x : alpha * (Math.exp(x) - 1);
            case "softsign" -> x / (1 + Math.abs(x));
            case "softplus" -> Math.log1p(Math.exp(x));
            default -> throw new IllegalStateException("activation " + name);
        };
    }
}
