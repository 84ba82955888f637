package rlif.evaluator.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.NoSuchElementException;
import rlif.evaluator.grading.AnswerExtractor;
import rlif.models.BadInputException;

/**
 * A JSONL data set read one line at a time (constant memory however large the file).
 *
 * <p>Each non-blank line is a JSON object with the prompt in {@code prompt}, {@code question} or
 * {@code problem} (text) or {@code prompt_ids} (token ids), an optional reference in {@code answer} (a
 * worked solution: GSM8K {@code #### x}, MATH {@code \boxed{}} or {@code The answer is:}) or
 * {@code reference}, and an optional {@code id}. A malformed line is a {@link BadInputException} naming the
 * file, the line number and the field.
 */
public final class JsonlSource implements ProblemSource {
    // A second value on a line ({"a":1} {"b":2}) is an error, not a silently dropped row.
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** The UTF-8 byte-order mark some editors (Notepad, Excel) put at the start of a file. */
    private static final char BOM = '\uFEFF';
    private static final String[] TEXT_FIELDS = {"prompt", "question", "problem"};

    private final Path file;

    public JsonlSource(Path file) {
        this.file = file;
    }

    @Override
    public String describe() {
        return file.toAbsolutePath().normalize().toString();
    }

    @Override
    public Problems open() {
        final class ProblemLines extends LineReader<Problem> implements Problems {
            ProblemLines() {
                super(reader(), JsonlSource.this::parse);
            }
        }
        return new ProblemLines();
    }

    /** Parses one non-blank line: its 1-based number in the file and its 0-based position among the non-blank lines. */
    interface LineParser<T> {
        T parse(String line, int lineNumber, int ordinal);
    }

    /** A fresh pass over the non-blank lines of the file, each parsed by {@code parser}. */
    <T> LineReader<T> lines(LineParser<T> parser) {
        return new LineReader<>(reader(), parser);
    }

    private BufferedReader reader() {
        if (Files.isDirectory(file)) {
            throw new BadInputException("--data " + file + " is a directory, expected a JSONL file or 'arith'");
        }
        if (!Files.isReadable(file)) {
            throw new BadInputException("--data " + file + " does not exist or cannot be read");
        }
        try {
            return Files.newBufferedReader(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BadInputException("cannot open --data " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses one line (1-based {@code lineNumber}) into the {@code index}-th problem. */
    Problem parse(String line, int lineNumber, int index) {
        return problem(object(line, lineNumber), lineNumber, index, false);
    }

    /** One line as a JSON object; anything else is bad input naming the line. */
    JsonNode object(String line, int lineNumber) {
        JsonNode row;
        try {
            row = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw bad(lineNumber, null, "not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (row == null || !row.isObject()) {
            throw bad(lineNumber, null, "expected a JSON object");
        }
        return row;
    }

    /**
     * The problem a row describes. A row of an rlif {@code rollouts.jsonl} ({@code rolloutRow}) carries the
     * completion's extracted answer in {@code answer}, so its reference is {@code reference} only, and it may
     * give its prompt both as text and as {@code prompt_ids}: the ids are what the model saw, so they win.
     */
    Problem problem(JsonNode row, int lineNumber, int index, boolean rolloutRow) {
        String where = file.getFileName() + ":" + lineNumber;
        String text = null;
        for (String field : TEXT_FIELDS) {
            JsonNode v = row.get(field);
            if (v != null && !v.isNull()) {
                if (!v.isTextual()) {
                    throw bad(lineNumber, field, "must be a string");
                }
                text = v.asText();
                if (text.isEmpty()) {
                    throw bad(lineNumber, field, "is empty");
                }
                break;
            }
        }
        int[] ids = null;
        JsonNode idsNode = row.get("prompt_ids");
        if (idsNode != null && !idsNode.isNull()) {
            if (text != null && !rolloutRow) {
                throw bad(lineNumber, "prompt_ids", "give either a text prompt or prompt_ids, not both");
            }
            ids = tokenIds(idsNode, lineNumber, "prompt_ids");
            text = null;
        }
        if (text == null && ids == null) {
            throw bad(lineNumber, null, "needs a prompt in one of the fields prompt, question, problem or prompt_ids");
        }
        String reference = null;
        String solution = null;
        for (String field : rolloutRow ? new String[] {"reference"} : new String[] {"answer", "reference"}) {
            JsonNode v = row.get(field);
            if (v != null && !v.isNull()) {
                if (!v.isTextual() && !v.isNumber()) {
                    throw bad(lineNumber, field, "must be a string or a number");
                }
                reference = AnswerExtractor.reference(v.asText());
                if (field.equals("answer") && v.isTextual()) {
                    solution = v.asText();
                }
                break;
            }
        }
        String id;
        JsonNode idNode = row.get("id");
        if (idNode == null || idNode.isNull()) {
            id = String.valueOf(index);
        } else if (idNode.isTextual() || idNode.isIntegralNumber()) {
            id = idNode.asText();
        } else {
            throw bad(lineNumber, "id", "must be a string or an integer");
        }
        return new Problem(index, id, text, ids, reference, solution, where);
    }

    /** A non-empty array of non-negative int token ids in {@code field}. */
    int[] tokenIds(JsonNode node, int lineNumber, String field) {
        if (!node.isArray()) {
            throw bad(lineNumber, field, "must be an array of token ids");
        }
        if (node.isEmpty()) {
            throw bad(lineNumber, field, "is empty");
        }
        int[] ids = new int[node.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
                throw bad(lineNumber, field, "entry " + i + " is " + v + ", expected a non-negative integer");
            }
            ids[i] = v.asInt();
        }
        return ids;
    }

    BadInputException bad(int lineNumber, String field, String what) {
        return new BadInputException(
                file + " line " + lineNumber + (field == null ? "" : ", field " + field) + ": " + what);
    }

    /** Streams parsed lines, skipping blank ones; the reader is closed at the end or by {@link #close()}. */
    class LineReader<T> implements java.util.Iterator<T>, AutoCloseable {
        private final BufferedReader reader;
        private final LineParser<T> parser;
        private int lineNumber;
        private int ordinal;
        private T next;
        private boolean done;

        LineReader(BufferedReader reader, LineParser<T> parser) {
            this.reader = reader;
            this.parser = parser;
        }

        @Override
        public boolean hasNext() {
            if (next == null && !done) {
                next = readNext();
                done = next == null;
            }
            return next != null;
        }

        @Override
        public T next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            T p = next;
            next = null;
            return p;
        }

        private T readNext() {
            try {
                String line;
                while ((line = reader.readLine()) != null) {
                    lineNumber++;
                    if (lineNumber == 1 && !line.isEmpty() && line.charAt(0) == BOM) {
                        line = line.substring(1);
                    }
                    if (!line.isBlank()) {
                        return parser.parse(line, lineNumber, ordinal++);
                    }
                }
                return null;
            } catch (java.nio.charset.CharacterCodingException e) {
                throw bad(lineNumber + 1, null, "not valid UTF-8");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            try {
                reader.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
