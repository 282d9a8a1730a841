package dev.infero.cli.conformance;

import dev.infero.core.InferoException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs conformance cases one at a time, each on a worker thread with a time limit, and classifies the outcome. A case
 * that exceeds the limit is recorded as failed and abandoned: Java cannot stop a thread, so the stuck (daemon) worker
 * is left behind and the next case gets a fresh one.
 */
public final class ConformanceRunner {
    /** Deep graphs and recursive kernels get room before a StackOverflowError counts as a crash. */
    private static final long WORKER_STACK_BYTES = 64L << 20;
    /** The importer wraps a translator's unexpected exception in an InferoException with this text. */
    private static final String TRANSLATOR_CRASH = "cannot translate: ";

    private final Duration timeout;
    private final CaseCheck check;
    private ExecutorService worker;

    public ConformanceRunner(Duration timeout, CaseCheck check) {
        this.timeout = timeout;
        this.check = check;
    }

    /** A runner checking cases on Infero's CPU device, optionally also through an IR write/read round trip. */
    public static ConformanceRunner onCpu(Duration timeout, Tolerance tolerance, boolean throughIr) {
        return new ConformanceRunner(timeout, new InferoCaseCheck(tolerance, throughIr));
    }

    /**
     * The case folders under {@code roots}, sorted by name: a folder holding {@code model.onnx} is a case, otherwise
     * each of its subfolders that holds one is. {@code filter} (may be {@code null}) keeps names it finds a match in.
     */
    public static List<Path> findCases(List<Path> roots, Pattern filter) {
        List<Path> cases = new ArrayList<>();
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                throw new InferoException("conformance folder " + root + " does not exist");
            }
            if (isCase(root)) {
                cases.add(root);
                continue;
            }
            try (Stream<Path> s = Files.list(root)) {
                s.filter(ConformanceRunner::isCase).forEach(cases::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return cases.stream()
                .filter(c -> filter == null || filter.matcher(c.getFileName().toString()).find())
                .sorted(Comparator.comparing((Path c) -> c.getFileName().toString()).thenComparing(Path::toString))
                .toList();
    }

    private static boolean isCase(Path dir) {
        return Files.isRegularFile(dir.resolve("model.onnx"));
    }

    /** Runs every case in order, reporting each result to {@code progress} as it is known. */
    public List<CaseResult> run(List<Path> cases, Consumer<CaseResult> progress) {
        List<CaseResult> results = new ArrayList<>();
        try {
            for (Path c : cases) {
                CaseResult r = run(c);
                results.add(r);
                progress.accept(r);
            }
        } finally {
            shutdownWorker();
        }
        return results;
    }

    /** Runs one case and classifies it. */
    public CaseResult run(Path caseDir) {
        String name = caseDir.getFileName().toString();
        String op = CaseOps.opOf(caseDir);
        long start = System.nanoTime();
        Future<?> future = worker().submit(() -> {
            check.check(caseDir);
            return null;
        });
        Outcome outcome;
        String reason;
        try {
            future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            outcome = Outcome.PASSED;
            reason = "";
        } catch (TimeoutException e) {
            future.cancel(true);
            shutdownWorker();
            outcome = Outcome.FAILED;
            reason = "timeout: still running after " + (timeout.toMillis() % 1000 == 0
                    ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            outcome = classify(cause);
            reason = reason(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            throw new InferoException("conformance run interrupted");
        }
        return new CaseResult(name, op, outcome, reason, (System.nanoTime() - start) / 1_000_000);
    }

    /** Unsupported only for a clean InferoException; wrong answers, harness problems and crashes are failures. */
    static Outcome classify(Throwable t) {
        if (t instanceof InferoException && !hidesCrash(t)) {
            return Outcome.UNSUPPORTED;
        }
        return Outcome.FAILED;
    }

    /** An InferoException caused by, or wrapping the text of, an unexpected runtime exception is a crash. */
    private static boolean hidesCrash(Throwable t) {
        for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
            if (c instanceof Error || c instanceof RuntimeException && !(c instanceof InferoException)) {
                return true;
            }
        }
        return t.getMessage() != null && t.getMessage().contains(TRANSLATOR_CRASH);
    }

    private static String reason(Throwable t) {
        String message = t.getMessage() == null ? "" : t.getMessage();
        String oneLine = message.replaceAll("\\s*\\R\\s*", " ");
        if (t instanceof CaseCheck.WrongAnswerException) {
            return "wrong answer: " + oneLine;
        }
        if (t instanceof InferoException) {
            return hidesCrash(t) ? "crash: " + oneLine : oneLine;
        }
        if (t instanceof IOException) {
            return "cannot read the case: " + oneLine;
        }
        StackTraceElement[] trace = t.getStackTrace();
        String at = trace.length == 0 || t instanceof StackOverflowError ? "" : " at " + trace[0];
        return "crash: " + t.getClass().getName() + (oneLine.isEmpty() ? "" : ": " + oneLine) + at;
    }

    private ExecutorService worker() {
        if (worker == null) {
            worker = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(null, r, "conformance-worker", WORKER_STACK_BYTES);
                t.setDaemon(true);
                return t;
            });
        }
        return worker;
    }

    private void shutdownWorker() {
        if (worker != null) {
            worker.shutdownNow();
            worker = null;
        }
    }
}
