package rlif.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code rlif} as a real child JVM (the test JVM's java and class path), so a test can SIGKILL it
 * ({@link Process#destroyForcibly()}) mid-job the way an OOM killer or a pre-empted node would.
 */
final class ChildRlif {
    /** No run of the tiny jobs these tests start takes this long unless something hangs. */
    static final long TIMEOUT_SECONDS = 600;
    /** How often a watched child is checked, as a bounded wait on the process (never a sleep). */
    private static final long POLL_MILLIS = 25;

    private ChildRlif() {}

    /** The seeds of a kill test: {@code -Drlif.killtest.seeds=a,b,c} for a longer pass, else {@code fallback}. */
    static long[] seeds(String fallback) {
        return java.util.Arrays.stream(System.getProperty("rlif.killtest.seeds", fallback).split(","))
                .map(String::trim).filter(x -> !x.isEmpty()).mapToLong(Long::parseLong).toArray();
    }

    static Process start(Path log, String... args) throws IOException {
        return java(log, "-Xmx768m", Rlif.class.getName(), args);
    }

    /** A child JVM running {@code mainClass} on the test class path with heap limit {@code xmx}. */
    static Process java(Path log, String xmx, String mainClass, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-Xss4m", xmx, "-XX:TieredStopAtLevel=1"));
        // ONNX Runtime's libraries from where the build unpacked them (pom.xml), as for the test JVM: a child that
        // extracted its own copy would leave it in /tmp when the test kills it
        String ortNative = System.getProperty("onnxruntime.native.path");
        if (ortNative != null) {
            cmd.add("-Donnxruntime.native.path=" + ortNative);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Waits for a child, killing it and failing the test if it hangs; returns its exit code. */
    static int exitCode(Process p) throws InterruptedException {
        boolean done = p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly().waitFor();
        }
        assertThat(done).as("child JVM finished within %ds", TIMEOUT_SECONDS).isTrue();
        return p.exitValue();
    }

    /** Runs to the end; fails the test on a non-zero exit or a hang. */
    static void runToEnd(Path log, String... args) throws IOException, InterruptedException {
        Process p = start(log, args);
        boolean done = p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly().waitFor();
        }
        assertThat(done).as("rlif %s finished within %ds", String.join(" ", args), TIMEOUT_SECONDS).isTrue();
        assertThat(p.exitValue()).as("exit code of rlif %s; log %s", String.join(" ", args), log).isZero();
    }

    /**
     * Starts rlif and SIGKILLs it as soon as {@code when} holds; returns true when it was killed, false when it
     * finished first (the kill point was past the end of the job).
     */
    static boolean killWhen(BooleanSupplier when, Path log, String... args) throws IOException, InterruptedException {
        Process p = start(log, args);
        long polls = TIMEOUT_SECONDS * 1000 / POLL_MILLIS;
        for (long i = 0; i < polls; i++) {
            if (when.getAsBoolean()) {
                p.destroyForcibly();
                p.waitFor();
                return true;
            }
            if (p.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                return false;
            }
        }
        p.destroyForcibly().waitFor();
        throw new AssertionError("rlif " + String.join(" ", args) + " neither reached the kill point nor finished");
    }
}
