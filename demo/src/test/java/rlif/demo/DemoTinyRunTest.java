package rlif.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.withinPercentage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.BadInputException;

/** A real demo at toy size (few problems, two GRPO steps per run) on the committed models. */
class DemoTinyRunTest {
    /** log V of the character vocabulary (100 tokens): the largest token entropy possible. */
    private static final double LOG_V = Math.log(100);
    private static final DemoPlan TINY = new DemoPlan(DemoPlan.TASK, 6, 40, 2, 1, 2, 2, 1e-3, List.of(0.0, 0.5, 1.0), 3);

    @TempDir
    static Path dir;
    static DemoResult result;
    static JsonNode json;
    static String stderr;

    @BeforeAll
    static void runTinyDemo() throws IOException {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        result = new Demo(CommittedModels.base(), CommittedModels.instruct(), dir.resolve("out"), TINY, 1,
                new PrintStream(log, true, StandardCharsets.UTF_8)).run();
        json = new ObjectMapper().readTree(dir.resolve("out").resolve("demo.json").toFile());
        stderr = log.toString(StandardCharsets.UTF_8);
    }

    @Test
    void demoJsonHasExactlyTheDesignFields() {
        assertThat(names(json)).containsExactly("models", "runs", "mix");
        for (JsonNode m : json.get("models")) {
            assertThat(names(m)).containsExactly("name", "accuracy", "token_entropy", "self_certainty");
        }
        for (JsonNode r : json.get("runs")) {
            assertThat(names(r)).containsExactly("name", "model", "reward", "steps");
            for (JsonNode s : r.get("steps")) {
                assertThat(names(s)).containsExactly("step", "accuracy", "token_entropy", "self_certainty",
                        "trajectory_entropy", "completion_length", "transitional_rate");
            }
        }
        for (JsonNode m : json.get("mix")) {
            assertThat(names(m)).containsExactly("alpha", "accuracy", "token_entropy", "self_certainty");
        }
    }

    @Test
    void everyModelRewardAndAlphaIsThereWithEvaluationsAtTheChosenSteps() {
        assertThat(json.get("models").findValuesAsText("name")).containsExactly("arith-base", "arith-instruct");
        List<String> runs = new ArrayList<>();
        json.get("runs").forEach(r -> runs.add(r.get("model").asText() + "/" + r.get("reward").asText()));
        assertThat(runs).containsExactly("arith-base/self_certainty", "arith-base/token_entropy",
                "arith-base/verifiable", "arith-instruct/self_certainty", "arith-instruct/token_entropy",
                "arith-instruct/verifiable");
        for (JsonNode r : json.get("runs")) {
            assertThat(r.get("steps").findValues("step").stream().map(JsonNode::asInt).toList()).containsExactly(0, 1, 2);
        }
        assertThat(json.get("mix").findValues("alpha").stream().map(JsonNode::asDouble).toList())
                .containsExactly(0.0, 0.5, 1.0);
    }

    @Test
    void measuredValuesLieInTheirRanges() {
        for (JsonNode n : json.findParents("token_entropy")) {
            assertThat(n.get("accuracy").asDouble()).isBetween(0.0, 1.0);
            assertThat(n.get("token_entropy").asDouble()).isBetween(0.0, LOG_V);
            // KL(U || p) is >= 0 and unbounded above: a peaked p puts it far past log V.
            assertThat(n.get("self_certainty").asDouble()).isPositive();
        }
        for (JsonNode r : json.get("runs")) {
            for (JsonNode s : r.get("steps")) {
                assertThat(s.get("completion_length").asDouble()).isBetween(1.0, 40.0);
                assertThat(s.get("transitional_rate").asDouble()).isGreaterThanOrEqualTo(0.0);
                assertThat(s.get("trajectory_entropy").asDouble()).isGreaterThanOrEqualTo(0.0);
            }
        }
    }

    @Test
    void demoJsonReadsBackToTheSameResult() {
        assertThat(DemoJson.read(dir.resolve("out").resolve("demo.json"))).isEqualTo(result);
    }

    @Test
    void mixEndpointsScoreExactlyLikeTheModelsTheyReproduce() {
        // alpha 0 and 1 reproduce the base and instruct weights exactly and scoring is seeded, so the same tokens
        // are sampled. The mixed directory's graph is rebuilt by the current graph builder, whose float32 op
        // order may differ from the one that wrote the committed model: signals agree to float32 rounding
        // (observed 2e-7 relative), far below any real difference between models (0.06 vs 0.005 entropy).
        DemoResult.MixPoint at0 = result.mix().getFirst();
        DemoResult.MixPoint at1 = result.mix().getLast();
        DemoResult.ModelScore base = result.models().get(0);
        DemoResult.ModelScore instruct = result.models().get(1);
        assertThat(at0.accuracy()).isEqualTo(base.accuracy());
        assertThat(at1.accuracy()).isEqualTo(instruct.accuracy());
        assertThat(at0.tokenEntropy()).isCloseTo(base.tokenEntropy(), withinPercentage(1e-3));
        assertThat(at0.selfCertainty()).isCloseTo(base.selfCertainty(), withinPercentage(1e-3));
        assertThat(at1.tokenEntropy()).isCloseTo(instruct.tokenEntropy(), withinPercentage(1e-3));
        assertThat(at1.selfCertainty()).isCloseTo(instruct.selfCertainty(), withinPercentage(1e-3));
    }

    @Test
    void runsStartFromTheirModelAndTheInstructModelIsTheMoreCertain() {
        DemoResult.Run fromBase = result.runs().get(0);
        DemoResult.Run fromInstruct = result.runs().get(3);
        assertThat(fromInstruct.first().tokenEntropy()).isLessThan(fromBase.first().tokenEntropy());
    }

    @Test
    void writesTheReportWithChartsAndTheRunConfigs() throws IOException {
        Path out = dir.resolve("out");
        String html = Files.readString(out.resolve("report.html"));
        assertThat(html).contains("data:image/png;base64,").contains("arith-instruct/verifiable");
        assertThat(out.resolve("runs/arith-base-self_certainty/config.yaml")).exists();
        assertThat(out.resolve("runs/arith-base-self_certainty/metrics.jsonl")).exists();
        assertThat(stderr).contains("demo [1/11] score arith-base").contains("reward verifiable");
        assertThat(SummaryTable.render(result)).contains("arith-base/token_entropy");
    }

    @Test
    void refusesAnOutputDirectoryItDidNotWrite() throws IOException {
        Path foreign = dir.resolve("foreign");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        Demo demo = new Demo(CommittedModels.base(), CommittedModels.instruct(), foreign, TINY, 1,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThatThrownBy(demo::run).isInstanceOf(BadInputException.class).hasMessageContaining("not written by rlif demo");
        assertThat(foreign.resolve("notes.txt")).exists();
    }

    private static List<String> names(JsonNode o) {
        List<String> names = new ArrayList<>();
        o.properties().forEach(e -> names.add(e.getKey()));
        return names;
    }
}
