package dev.infero.cli.benchmark;

import dev.infero.cli.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import jdk.incubator.vector.FloatVector;

/** What the run executes on: Infero version, Java, the CPU's vector features and the kernels' vector width. */
public final class SystemInfo {
    private SystemInfo() {
    }

    static String inferoVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    static String javaVersion() {
        return Runtime.version().toString();
    }

    /** The f32 vector the kernels use: {@code FloatVector.SPECIES_PREFERRED}, e.g. "512-bit (16 x f32)". */
    static String vectorWidth() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit (" + FloatVector.SPECIES_PREFERRED.length()
                + " x f32)";
    }

    /**
     * What the CPU device's heavy FP32 layers run: {@code jit_avx512} / {@code jit_avx2} (code generated at run time,
     * with the features {@code cpuid} reports) or the Vector API kernels when the JIT is off or unsupported.
     */
    public static String kernels() {
        dev.infero.cpu.jit.CpuFeatures f = dev.infero.cpu.jit.CpuFeatures.host();
        String cpuid = f.names().isEmpty() ? "" : " (cpuid: " + String.join(" ", f.names()) + ")";
        dev.infero.cpu.jit.Jit.Isa isa = dev.infero.cpu.jit.Jit.isa();
        if (isa != null) {
            return "jit_" + isa.label() + cpuid;
        }
        String why = dev.infero.cpu.jit.Jit.enabled() ? "JIT unsupported here" : "JIT off";
        return "vector" + FloatVector.SPECIES_PREFERRED.vectorBitSize() + " (" + why + ")" + cpuid;
    }

    /** AVX2 / AVX-512 / FMA / AMX flags from /proc/cpuinfo, or "unknown" where it is not readable. */
    static String cpuFeatures() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo)) {
            return "unknown (no /proc/cpuinfo)";
        }
        try (Stream<String> lines = Files.lines(cpuinfo)) {
            Set<String> flags = lines.filter(l -> l.startsWith("flags")).findFirst()
                    .map(l -> Set.of(l.substring(l.indexOf(':') + 1).trim().split("\\s+"))).orElse(Set.of());
            return features(flags);
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /** The interesting flags in a readable order, e.g. "AVX2 FMA AVX-512F AVX-512_VNNI". */
    static String features(Set<String> flags) {
        List<String> out = new ArrayList<>();
        String[][] known = {{"avx2", "AVX2"}, {"fma", "FMA"}, {"avx512f", "AVX-512F"}, {"avx512bw", "AVX-512BW"},
                {"avx512_vnni", "AVX-512_VNNI"}, {"avx512_bf16", "AVX-512_BF16"}, {"avx_vnni", "AVX_VNNI"},
                {"amx_tile", "AMX"}};
        for (String[] k : known) {
            if (flags.contains(k[0])) {
                out.add(k[1]);
            }
        }
        return out.isEmpty() ? "none of AVX2/AVX-512" : String.join(" ", out);
    }

    static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.arch");
        }
    }
}
