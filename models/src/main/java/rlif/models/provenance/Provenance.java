package rlif.models.provenance;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * What produced a result file, so a number can be traced back: the rlif version and git commit, the date, the
 * command line, and a digest of the model's files. {@code summary.json} carries it as {@code provenance};
 * {@code metrics.jsonl} in its first row.
 */
public record Provenance(String rlifVersion, String gitCommit, String date, String command, String modelDigest) {
    private static final Pattern PLAIN_WORD = Pattern.compile("[A-Za-z0-9_./:=,@+%-]+");
    private static volatile String recordedCommand = "unknown";

    /** The version this build was made from ({@code 0.1.0-SNAPSHOT}), read from the jar. */
    public static String buildVersion() {
        try (InputStream in = Provenance.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * The git commit of the checkout that ran, as {@code bin/rlif} passes it ({@code -Drlif.git.commit}, with
     * {@code +dirty} when tracked files had changed); {@code unknown} without the launcher.
     */
    public static String checkoutCommit() {
        String c = System.getProperty("rlif.git.commit");
        return c == null || c.isBlank() ? "unknown" : c;
    }

    /** Records the command line of this process; the CLI's entry point calls it once per invocation. */
    public static void recordCommand(String program, String... args) {
        StringBuilder b = new StringBuilder(program);
        for (String a : args) {
            b.append(' ').append(PLAIN_WORD.matcher(a).matches() ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        recordedCommand = b.toString();
    }

    /** The recorded command line, quoted so a shell can run it again. */
    public static String commandLine() {
        return recordedCommand;
    }

    /** The stamp of a run now, of the model whose digest is given ({@link ModelDigest#of}). */
    public static Provenance now(String modelDigest) {
        return new Provenance(buildVersion(), checkoutCommit(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                commandLine(), modelDigest);
    }

    /** As JSON fields, in this order ({@code rlif_version}, {@code git_commit}, {@code date}, ...). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rlif_version", rlifVersion);
        m.put("git_commit", gitCommit);
        m.put("date", date);
        m.put("command", command);
        m.put("model_digest", modelDigest);
        return m;
    }
}
