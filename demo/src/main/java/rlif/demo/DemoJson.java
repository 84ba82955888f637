package rlif.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import rlif.models.io.AtomicFiles;

/** Writes {@code demo.json} with exactly the fields DESIGN section 9 names, in its order. */
public final class DemoJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private DemoJson() {}

    public static ObjectNode toJson(DemoResult r) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode models = root.putArray("models");
        for (DemoResult.ModelScore m : r.models()) {
            ObjectNode o = models.addObject();
            o.put("name", m.name());
            put(o, "accuracy", m.accuracy());
            put(o, "token_entropy", m.tokenEntropy());
            put(o, "self_certainty", m.selfCertainty());
        }
        ArrayNode runs = root.putArray("runs");
        for (DemoResult.Run run : r.runs()) {
            ObjectNode o = runs.addObject();
            o.put("name", run.name());
            o.put("model", run.model());
            o.put("reward", run.reward());
            ArrayNode steps = o.putArray("steps");
            for (DemoResult.StepPoint s : run.steps()) {
                ObjectNode p = steps.addObject();
                p.put("step", s.step());
                put(p, "accuracy", s.accuracy());
                put(p, "token_entropy", s.tokenEntropy());
                put(p, "self_certainty", s.selfCertainty());
                put(p, "trajectory_entropy", s.trajectoryEntropy());
                put(p, "completion_length", s.completionLength());
                put(p, "transitional_rate", s.transitionalRate());
            }
        }
        ArrayNode mix = root.putArray("mix");
        for (DemoResult.MixPoint m : r.mix()) {
            ObjectNode o = mix.addObject();
            o.put("alpha", m.alpha());
            put(o, "accuracy", m.accuracy());
            put(o, "token_entropy", m.tokenEntropy());
            put(o, "self_certainty", m.selfCertainty());
        }
        return root;
    }

    public static void write(Path file, DemoResult r) {
        try {
            AtomicFiles.writeString(file, JSON.writeValueAsString(toJson(r)) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise demo.json", e);
        }
    }

    /** JSON has no NaN: an undefined value is null. */
    private static void put(ObjectNode o, String field, Double v) {
        if (v != null && Double.isFinite(v)) {
            o.put(field, v);
        } else {
            o.putNull(field);
        }
    }

    /** Reads a {@code demo.json} back (to re-render its report). */
    public static DemoResult read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (java.io.IOException e) {
            throw new rlif.models.BadInputException(file + ": cannot read demo.json: " + e.getMessage(), e);
        }
        java.util.List<DemoResult.ModelScore> models = new java.util.ArrayList<>();
        for (JsonNode m : root.path("models")) {
            models.add(new DemoResult.ModelScore(m.path("name").asText(), number(m.get("accuracy")),
                    number(m.get("token_entropy")), number(m.get("self_certainty"))));
        }
        java.util.List<DemoResult.Run> runs = new java.util.ArrayList<>();
        for (JsonNode r : root.path("runs")) {
            java.util.List<DemoResult.StepPoint> steps = new java.util.ArrayList<>();
            for (JsonNode s : r.path("steps")) {
                steps.add(new DemoResult.StepPoint(s.path("step").asLong(), number(s.get("accuracy")),
                        number(s.get("token_entropy")), number(s.get("self_certainty")),
                        number(s.get("trajectory_entropy")), number(s.get("completion_length")),
                        number(s.get("transitional_rate"))));
            }
            runs.add(new DemoResult.Run(r.path("name").asText(), r.path("model").asText(), r.path("reward").asText(),
                    steps));
        }
        java.util.List<DemoResult.MixPoint> mix = new java.util.ArrayList<>();
        for (JsonNode m : root.path("mix")) {
            mix.add(new DemoResult.MixPoint(m.path("alpha").asDouble(), number(m.get("accuracy")),
                    number(m.get("token_entropy")), number(m.get("self_certainty"))));
        }
        return new DemoResult(models, runs, mix);
    }

    /** A number or null from a parsed node. */
    static Double number(JsonNode n) {
        return n == null || !n.isNumber() ? null : n.doubleValue();
    }
}
