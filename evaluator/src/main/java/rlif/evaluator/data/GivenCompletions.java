package rlif.evaluator.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import rlif.models.BadInputException;

/**
 * What {@code rlif score --teacher-forced} reads: JSONL rows that each carry a prompt and a completion to
 * score. The prompt and reference fields are those of {@link JsonlSource}; the completion is
 * {@code completion_ids} (token ids, used as given) or {@code completion} (text, encoded by the caller).
 *
 * <p>Rows of an rlif {@code rollouts.jsonl} are read as they are: they carry {@code prompt_index} and
 * {@code sample}, which are kept; their {@code answer} is the completion's extracted answer, so their reference
 * is {@code reference}; when they carry {@code prompt_ids} those ids are the prompt; {@code "prompt_format":
 * "chat"} says their {@code prompt} text is already rendered by a chat template. Other rows are grouped into
 * problems by their {@code id} and prompt: the first row of a problem is sample 0, the next sample 1, and
 * problems are numbered in order of first appearance. A file mixes neither kind.
 */
public final class GivenCompletions {
    private final JsonlSource file;

    public GivenCompletions(Path file) {
        this.file = new JsonlSource(file);
    }

    /** The absolute path, as recorded in the settings. */
    public String describe() {
        return file.describe();
    }

    /**
     * One row to score.
     *
     * @param problem the prompt, reference and id; {@code problem.index()} is the row's {@code prompt_index}
     * @param sample which completion of that problem this is
     * @param completionIds the completion's token ids as given, or null when the row gave text
     * @param completionText the completion's text as given, or null when the row gave ids
     * @param promptText the row's prompt text as written, also when {@code prompt_ids} (which the problem holds then)
     *     came with it; null when it has none
     * @param promptRendered the prompt text is already what the tokenizer should see (rendered by a chat template):
     *     encode it without adding special tokens and never template it again
     * @param finishReason the row's {@code finish_reason}, or null
     * @param lineNumber the row's 1-based line in the file
     */
    public record Given(Problem problem, int sample, int[] completionIds, String completionText, String promptText,
            boolean promptRendered, String finishReason, int lineNumber) {}

    /** The error for a row's field, naming the file, the line and the field. */
    public BadInputException bad(Given row, String field, String what) {
        return file.bad(row.lineNumber(), field, what);
    }

    /** A pass over the rows; close it to release the file. */
    public interface Rows extends Iterator<Given>, AutoCloseable {
        @Override
        void close();
    }

    /** Opens a new pass; problem numbers and samples come out the same on every pass. */
    public Rows open() {
        Grouping grouping = new Grouping();
        JsonlSource.LineReader<Given> lines = file.lines((line, number, ordinal) -> parse(line, number, grouping));
        return new Rows() {
            @Override
            public boolean hasNext() {
                return lines.hasNext();
            }

            @Override
            public Given next() {
                return lines.next();
            }

            @Override
            public void close() {
                lines.close();
            }
        };
    }

    /** Problem numbers and samples assigned during one pass. */
    private static final class Grouping {
        Boolean rolloutRows;
        final Map<String, int[]> problems = new HashMap<>(); // digest of (id, prompt) -> {problem index, samples so far}
        final Set<Long> seen = new HashSet<>();
    }

    private Given parse(String line, int lineNumber, Grouping grouping) {
        JsonNode row = file.object(line, lineNumber);
        boolean rolloutRow = row.has("prompt_index") || row.has("sample");
        if (grouping.rolloutRows == null) {
            grouping.rolloutRows = rolloutRow;
        } else if (grouping.rolloutRows != rolloutRow) {
            throw file.bad(lineNumber, "prompt_index", grouping.rolloutRows
                    ? "missing, while the rows before carry prompt_index and sample (a file is either a rollouts.jsonl or not)"
                    : "present, while the rows before have none (a file is either a rollouts.jsonl or not)");
        }
        int promptIndex;
        int sample;
        Problem problem;
        if (rolloutRow) {
            promptIndex = index(row, "prompt_index", lineNumber);
            sample = index(row, "sample", lineNumber);
            if (!grouping.seen.add(((long) promptIndex << 32) | sample)) {
                throw file.bad(lineNumber, "sample", "prompt_index " + promptIndex + " sample " + sample + " appears twice");
            }
            problem = file.problem(row, lineNumber, promptIndex, true);
        } else {
            Problem p = file.problem(row, lineNumber, 0, false);
            int[] slot = grouping.problems.computeIfAbsent(key(row, p), k -> new int[] {grouping.problems.size(), 0});
            promptIndex = slot[0];
            sample = slot[1]++;
            String id = row.hasNonNull("id") ? p.id() : String.valueOf(promptIndex);
            problem = new Problem(promptIndex, id, p.promptText(), p.promptIds(), p.reference(), p.solution(), p.where());
        }
        int[] ids = null;
        String text = null;
        JsonNode idsNode = row.get("completion_ids");
        JsonNode textNode = row.get("completion");
        if (idsNode != null && !idsNode.isNull()) {
            ids = idsNode.isArray() && idsNode.isEmpty() ? new int[0] : file.tokenIds(idsNode, lineNumber, "completion_ids");
        } else if (textNode != null && !textNode.isNull()) {
            if (!textNode.isTextual()) {
                throw file.bad(lineNumber, "completion", "must be a string");
            }
            text = textNode.asText();
        } else {
            throw file.bad(lineNumber, "completion", "--teacher-forced needs the completion to score, in completion (text)"
                    + " or completion_ids (token ids)");
        }
        JsonNode format = row.get("prompt_format");
        boolean rendered = format != null && format.isTextual() && format.asText().equals("chat");
        JsonNode prompt = row.get("prompt");
        JsonNode finish = row.get("finish_reason");
        return new Given(problem, sample, ids, text, prompt != null && prompt.isTextual() ? prompt.asText() : null, rendered,
                finish != null && finish.isTextual() ? finish.asText() : null, lineNumber);
    }

    private int index(JsonNode row, String field, int lineNumber) {
        JsonNode v = row.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
            throw file.bad(lineNumber, field, "must be a non-negative integer (a rollouts.jsonl row carries both prompt_index"
                    + " and sample)");
        }
        return v.asInt();
    }

    /** A fixed-size key for a problem: the digest of its id and prompt, so a large file's prompts are not all kept. */
    private static String key(JsonNode row, Problem p) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(String.valueOf(row.get("id")).getBytes(StandardCharsets.UTF_8));
            d.update((byte) 0);
            d.update((p.hasText() ? "t" + p.promptText() : "i" + java.util.Arrays.toString(p.promptIds()))
                    .getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
