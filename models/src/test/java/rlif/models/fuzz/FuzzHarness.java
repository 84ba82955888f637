package rlif.models.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import rlif.models.BadInputException;

/**
 * The oracle every parser fuzz test shares: a parse of untrusted bytes may succeed or throw the project's
 * {@link BadInputException} with a message, nothing else, and may not allocate more than the input justifies.
 * Also the short in-build fuzz pass: seeded byte-level mutations of the committed seed corpus.
 */
public final class FuzzHarness {
    /** Fixed allowance: a parser's read buffers, Jackson's symbol tables, protobuf's descriptors, classes loaded. */
    static final long BASE_BYTES = 48L << 20;
    /** Per input byte: parsed JSON/YAML/protobuf trees run to a few tens of heap bytes per byte of text. */
    static final long BYTES_PER_INPUT_BYTE = 96;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private FuzzHarness() {}

    /** A parse step that may do I/O. */
    @FunctionalInterface
    public interface Parse {
        void run() throws IOException;
    }

    /** A fuzz target fed one input. */
    @FunctionalInterface
    public interface Target {
        void accept(byte[] input) throws IOException;
    }

    /**
     * Runs {@code parse} on an input of {@code inputBytes}: returns normally on success or a
     * {@link BadInputException}; throws {@link AssertionError} on any other outcome or an allocation beyond
     * {@link #BASE_BYTES} + {@link #BYTES_PER_INPUT_BYTE} per input byte on this thread.
     */
    public static void expectOnlyBadInput(long inputBytes, Parse parse) {
        long budget = BASE_BYTES + BYTES_PER_INPUT_BYTE * inputBytes;
        long used = measured(parse);
        if (used > budget) {
            // The first parse down a new path loads classes (and under JAZZER_FUZZ instruments them) on this
            // thread; a repeat allocates only what the input makes the parser allocate.
            used = measured(parse);
        }
        if (used > budget) {
            throw new AssertionError("parsing " + inputBytes + " bytes allocated " + used + " bytes, over the budget of "
                    + budget);
        }
    }

    private static long measured(Parse parse) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            parse.run();
        } catch (BadInputException e) {
            if (e.getMessage() == null || e.getMessage().isBlank()) {
                throw new AssertionError("BadInputException without a message", e);
            }
        } catch (IOException e) {
            throw new AssertionError("an I/O error escaped instead of a BadInputException: " + e, e);
        }
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }

    /** The committed seeds of {@code method} in Jazzer's layout: {@code <Class>Inputs/<method>/} beside the class. */
    public static List<byte[]> seeds(Class<?> fuzzTest, String method) {
        URL url = fuzzTest.getResource(fuzzTest.getSimpleName() + "Inputs/" + method);
        if (url == null) {
            throw new AssertionError("no seed corpus " + fuzzTest.getSimpleName() + "Inputs/" + method
                    + " under src/test/resources/" + fuzzTest.getPackageName().replace('.', '/'));
        }
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            List<byte[]> out = new ArrayList<>();
            for (Path f : files.sorted().toList()) {
                out.add(Files.readAllBytes(f));
            }
            if (out.isEmpty()) {
                throw new AssertionError("seed corpus " + url + " is empty");
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The short fuzz pass of the normal build: {@code cases} mutations (byte flips, truncations, insertions,
     * extreme 32/64-bit values, spliced digits, repeated slices) of the committed seeds, each fed to
     * {@code target}; deterministic for a given {@code seed}. Returns the number of inputs run.
     */
    public static int mutateSeeds(Class<?> fuzzTest, String method, int cases, long seed, Target target)
            throws IOException {
        List<byte[]> seeds = seeds(fuzzTest, method);
        for (byte[] s : seeds) {
            target.accept(s);
        }
        Random r = new Random(seed);
        for (int i = 0; i < cases; i++) {
            byte[] input = mutate(seeds.get(r.nextInt(seeds.size())), r);
            try {
                target.accept(input);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("mutation " + i + " (seed " + seed + ") of a " + method + " seed failed; "
                        + "input as hex: " + hex(input), e);
            }
        }
        return seeds.size() + cases;
    }

    static byte[] mutate(byte[] seed, Random r) {
        byte[] b = seed.clone();
        int rounds = 1 + r.nextInt(3);
        for (int k = 0; k < rounds; k++) {
            if (b.length == 0) {
                b = new byte[] {(byte) r.nextInt(256)};
                continue;
            }
            int at = r.nextInt(b.length);
            switch (r.nextInt(7)) {
                case 0 -> b[at] = (byte) r.nextInt(256);
                case 1 -> b[at] ^= (byte) (1 << r.nextInt(8));
                case 2 -> b = Arrays.copyOf(b, at);
                case 3 -> b = splice(b, at, randomBytes(r, 1 + r.nextInt(8)));
                case 4 -> {
                    // an extreme little-endian length or count: the values that break bounds checks
                    long[] extremes = {-1L, Long.MAX_VALUE, Integer.MAX_VALUE, 0x7fffffffL + 1, 1L << 40, 0};
                    long v = extremes[r.nextInt(extremes.length)];
                    int width = r.nextBoolean() ? 8 : 4;
                    for (int i = 0; i < width && at + i < b.length; i++) {
                        b[at + i] = (byte) (v >>> (8 * i));
                    }
                }
                case 5 -> b = splice(b, at, "99999999999999999999".substring(r.nextInt(19)).getBytes());
                default -> {
                    int len = Math.min(b.length - at, 1 + r.nextInt(64));
                    byte[] slice = Arrays.copyOfRange(b, at, at + len);
                    b = splice(b, r.nextInt(b.length), slice);
                }
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, byte[] insert) {
        byte[] out = new byte[b.length + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at, out, at + insert.length, b.length - at);
        return out;
    }

    private static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 4096); i++) {
            s.append(String.format("%02x", b[i]));
        }
        return b.length > 4096 ? s + "..." : s.toString();
    }
}
