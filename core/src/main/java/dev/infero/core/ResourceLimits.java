package dev.infero.core;

import dev.infero.core.types.ElementType;
import dev.infero.core.types.Shapes;
import java.util.Arrays;
import java.util.Locale;

/**
 * Memory limits checked before Infero allocates: the bytes of one tensor (a constant computed while a model loads, an
 * input declared by a model, a weight read from a file, a decoded image or array) and the total bytes a compiled
 * model's memory plan needs. A model or file that asks for more is refused with a {@link ResourceLimitException}
 * naming the tensor and the limit, instead of an {@link OutOfMemoryError} (or minutes of swapping) later.
 *
 * <p>Defaults follow the heap: one tensor may take half of {@link Runtime#maxMemory()}, a model's plan all of it.
 * They are overridden, in this order of precedence, by {@link #set} (the API), the system properties
 * {@value #TENSOR_PROPERTY} and {@value #MODEL_PROPERTY}, and the environment variables {@value #TENSOR_ENV} and
 * {@value #MODEL_ENV}; values are bytes with an optional {@code k}, {@code M}, {@code G} or {@code T} suffix (powers of
 * 1024).
 */
public final class ResourceLimits {
    public static final String TENSOR_PROPERTY = "infero.maxTensorBytes";
    public static final String MODEL_PROPERTY = "infero.maxModelBytes";
    public static final String TENSOR_ENV = "INFERO_MAX_TENSOR_BYTES";
    public static final String MODEL_ENV = "INFERO_MAX_MODEL_BYTES";

    private static volatile ResourceLimits current;

    private final long maxTensorBytes;
    private final long maxModelBytes;

    public ResourceLimits(long maxTensorBytes, long maxModelBytes) {
        if (maxTensorBytes <= 0 || maxModelBytes <= 0) {
            throw new IllegalArgumentException("resource limits must be positive, got " + maxTensorBytes + " bytes per "
                    + "tensor and " + maxModelBytes + " bytes per model");
        }
        this.maxTensorBytes = maxTensorBytes;
        this.maxModelBytes = maxModelBytes;
    }

    /** The limits in force: those given to {@link #set}, else from the properties, environment and heap size. */
    public static ResourceLimits current() {
        ResourceLimits l = current;
        if (l == null) {
            l = fromEnvironment();
            current = l;
        }
        return l;
    }

    /** Sets the limits for the whole JVM; {@code null} goes back to the properties, environment and defaults. */
    public static void set(ResourceLimits limits) {
        current = limits;
    }

    /** The limits from the system properties, else the environment, else the heap size. */
    public static ResourceLimits fromEnvironment() {
        long heap = Runtime.getRuntime().maxMemory();
        return new ResourceLimits(setting(TENSOR_PROPERTY, TENSOR_ENV, heap / 2), setting(MODEL_PROPERTY, MODEL_ENV, heap));
    }

    public long maxTensorBytes() {
        return maxTensorBytes;
    }

    public long maxModelBytes() {
        return maxModelBytes;
    }

    /** Throws unless a tensor of this type and shape fits the one-tensor limit; {@code what} names it. */
    public void checkTensor(String what, ElementType type, int[] shape) {
        long[] dims = new long[shape.length];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shape[i];
        }
        checkTensor(what, type, dims);
    }

    /**
     * The element count of a tensor a model file declares, the one check every frontend makes before reading its
     * data: a count beyond an int is an {@link InvalidModelException} naming {@code what}, then the one-tensor limit.
     */
    public int checkModelTensor(String what, ElementType type, int[] shape) {
        int n;
        try {
            n = Shapes.size(shape);
        } catch (InferoException e) {
            throw InvalidModelException.wrap(what + ": ", e);
        }
        checkTensor(what, type, shape);
        return n;
    }

    /** Throws unless a tensor of this type and shape fits the one-tensor limit; {@code what} names it. */
    public void checkTensor(String what, ElementType type, long[] shape) {
        long bytes = bytes(type, shape);
        if (bytes > maxTensorBytes) {
            throw new ResourceLimitException(what + ": shape " + Arrays.toString(shape) + " of " + type.irName()
                    + " needs " + (bytes == Long.MAX_VALUE ? "more than 8 EB" : format(bytes))
                    + ", more than the limit of " + format(maxTensorBytes) + " for one tensor (" + howToRaise(TENSOR_PROPERTY, TENSOR_ENV) + ")");
        }
    }

    /** Throws unless {@code bytes} fit the one-tensor limit; for data whose shape is not a tensor's (an image). */
    public void checkTensorBytes(String what, long bytes) {
        if (bytes > maxTensorBytes) {
            throw new ResourceLimitException(what + " needs " + format(bytes) + ", more than the limit of "
                    + format(maxTensorBytes) + " for one tensor (" + howToRaise(TENSOR_PROPERTY, TENSOR_ENV) + ")");
        }
    }

    /** Throws unless a model's planned memory fits the per-model limit; {@code what} names the model. */
    public void checkModel(String what, long bytes) {
        if (bytes > maxModelBytes) {
            throw new ResourceLimitException(what + " needs " + format(bytes) + " of tensor memory, more than the limit "
                    + "of " + format(maxModelBytes) + " for one model (" + howToRaise(MODEL_PROPERTY, MODEL_ENV) + ")");
        }
    }

    /** Bytes of a tensor in memory, {@link Long#MAX_VALUE} when that overflows; negative (unknown) dims count as 1. */
    public static long bytes(ElementType type, long[] shape) {
        long n = type.bytes();
        for (long d : shape) {
            if (d > 0) {
                if (n > Long.MAX_VALUE / d) {
                    return Long.MAX_VALUE;
                }
                n *= d;
            } else if (d == 0) {
                return 0;
            }
        }
        return n;
    }

    /** Bytes in binary units, for messages: {@code 1.5 GB}. */
    public static String format(long bytes) {
        String[] units = {"bytes", "kB", "MB", "GB", "TB", "PB", "EB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " bytes" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static String howToRaise(String property, String env) {
        return "raise it with -D" + property + "=SIZE, " + env + " or ResourceLimits.set";
    }

    private static long setting(String property, String env, long fallback) {
        String v = System.getProperty(property);
        String from = "system property " + property;
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
            from = "environment variable " + env;
        }
        if (v == null || v.isBlank()) {
            return fallback;
        }
        return parseSize(v.trim(), from);
    }

    /** Parses {@code 123}, {@code 512M}, {@code 2G}, {@code 1T} (binary units); {@code from} names the setting. */
    public static long parseSize(String v, String from) {
        String s = v.toUpperCase(Locale.ROOT).replaceFirst("I?B$", "");
        int shift = 0;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'K' -> shift = 10;
                case 'M' -> shift = 20;
                case 'G' -> shift = 30;
                case 'T' -> shift = 40;
                default -> shift = 0;
            }
        }
        String digits = shift == 0 ? s : s.substring(0, s.length() - 1);
        try {
            long n = Long.parseLong(digits.trim());
            if (n <= 0 || n > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException();
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new InferoException(from + " is '" + v + "'; expected a positive number of bytes, optionally with "
                    + "k, M, G or T (for example 2G)");
        }
    }
}
