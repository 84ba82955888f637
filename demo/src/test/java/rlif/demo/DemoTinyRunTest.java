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
import rlif.evaluator.prompt.PromptFormat;
import rlif.models.BadInputException;

/**
 * A real demo at toy size on the committed arith models (the machinery does not depend on the task): few
 * problems, two GRPO steps per run, two arms (one a control), two seeds.
 */
class DemoTinyRunTest {
    /** log V of the character vocabulary (100 tokens): the largest token entropy possible. */
    private static final double LOG_V = Math.log(100);
    static final DemoPlan TINY = new DemoPlan("arith:level=1,steps=2", PromptFormat.PLAIN, PromptFormat.PLAIN, 4, 2,
            40, 2, 1, 2, 2, 1e-3, List.of(Arm.SELF_CERTAINTY, Arm.SHUFFLED), List.of(3L, 4L), List.of(0.0, 1.0), true);

    @TempDir
    static Path dir;
    static DemoResult result;
    static JsonNode json;
    static String stderr;

    @BeforeAll
    static void runTinyDemo() throws IOException {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        result = new Demo(CommittedModels.arithBase(), CommittedModels.arithInstruct(), dir.resolve("out"), TINY, 1,
                new PrintStream(log, true, StandardCharsets.UTF_8)).run();
        json = new ObjectMapper().readTree(dir.resolve("out").resolve("demo.json").toFile());
        stderr = log.toString(StandardCharsets.UTF_8);
    }

    @Test
    void demoJsonStartsWithTheDesignFieldsInTheirOrder() {
        assertThat(names(json)).startsWith("models", "runs", "mix");
        for (JsonNode m : json.get("models")) {
            assertThat(names(m)).startsWith("name", "accuracy", "token_entropy", "self_certainty");
        }
        for (JsonNode r : json.get("runs")) {
            assertThat(names(r)).startsWith("name", "model", "reward", "steps");
            assertThat(names(r)).contains("arm", "seed", "gate", "accuracy_change", "accuracy_change_ci95");
            for (JsonNode s : r.get("steps")) {
                assertThat(names(s)).startsWith("step", "accuracy", "token_entropy", "self_certainty",
                        "trajectory_entropy", "completion_length", "transitional_rate");
                assertThat(names(s)).contains("accuracy_ci95", "token_entropy_ci95", "transitional_rate_ci95");
            }
        }
        for (JsonNode m : json.get("mix")) {
            assertThat(names(m)).startsWith("alpha", "accuracy", "token_entropy", "self_certainty");
        }
        assertThat(json.get("conclusive").asBoolean()).isFalse();
        assertThat(json.get("note").asText()).contains("too small to conclude");
    }

    @Test
    void everyModelArmSeedAndAlphaIsThereWithEvaluationsAtTheChosenSteps() {
        assertThat(json.get("models").findValuesAsText("name")).containsExactly("arith-base", "arith-instruct");
        List<String> runs = new ArrayList<>();
        json.get("runs").forEach(r -> runs.add(r.get("name").asText() + " " + r.get("reward").asText()));
        assertThat(runs).containsExactly("arith-base/self_certainty/seed-3 self_certainty",
                "arith-base/self_certainty/seed-4 self_certainty", "arith-base/shuffled/seed-3 self_certainty",
                "arith-base/shuffled/seed-4 self_certainty", "arith-instruct/self_certainty/seed-3 self_certainty",
                "arith-instruct/self_certainty/seed-4 self_certainty", "arith-instruct/shuffled/seed-3 self_certainty",
                "arith-instruct/shuffled/seed-4 self_certainty");
        for (JsonNode r : json.get("runs")) {
            assertThat(r.get("steps").findValues("step").stream().map(JsonNode::asInt).toList()).containsExactly(0, 1, 2);
            assertThat(r.at("/gate/steps").asInt()).isEqualTo(2);
        }
        assertThat(json.get("mix").findValues("alpha").stream().map(JsonNode::asDouble).toList()).containsExactly(0.0, 1.0);
        assertThat(json.get("reward_validity").findValuesAsText("name")).containsExactly("arith-base", "arith-instruct");
    }

    @Test
    void measuredValuesLieInTheirRangesAndIntervalsContainThem() {
        List<JsonNode> measured = new ArrayList<>();
        json.get("models").forEach(measured::add);
        json.get("mix").forEach(measured::add);
        json.get("runs").forEach(r -> r.get("steps").forEach(measured::add));
        for (JsonNode n : measured) {
            assertThat(n.get("accuracy").asDouble()).isBetween(0.0, 1.0);
            assertThat(n.get("token_entropy").asDouble()).isBetween(0.0, LOG_V);
            assertThat(n.get("self_certainty").asDouble()).isPositive();
            JsonNode ci = n.get("accuracy_ci95");
            assertThat(ci.get(0).asDouble()).isLessThanOrEqualTo(n.get("accuracy").asDouble());
            assertThat(ci.get(1).asDouble()).isGreaterThanOrEqualTo(n.get("accuracy").asDouble());
        }
    }

    @Test
    void stepZeroIsTheStartingModelsOwnEvaluation() {
        for (DemoResult.Run run : result.runs()) {
            DemoResult.ModelScore start = result.models().get(run.model().equals("arith-base") ? 0 : 1);
            assertThat(run.first().heldOut().accuracy()).isEqualTo(start.heldOut().accuracy());
        }
    }

    @Test
    void mixEndpointsScoreLikeTheModelsTheyReproduce() {
        // alpha 0 and 1 reproduce the base and instruct weights exactly and scoring is seeded, so the same tokens
        // are sampled. The mixed directory's graph is rebuilt by the current graph builder, whose float32 op
        // order may differ from the one that wrote the committed model: signals agree to float32 rounding.
        HeldOut at0 = result.mix().getFirst().heldOut();
        HeldOut at1 = result.mix().getLast().heldOut();
        HeldOut base = result.models().get(0).heldOut();
        HeldOut instruct = result.models().get(1).heldOut();
        assertThat(at0.accuracy().estimate()).isEqualTo(base.accuracy().estimate());
        assertThat(at1.accuracy().estimate()).isEqualTo(instruct.accuracy().estimate());
        assertThat(at0.tokenEntropy().estimate()).isCloseTo(base.tokenEntropy().estimate(), withinPercentage(1e-3));
        assertThat(at1.selfCertainty().estimate()).isCloseTo(instruct.selfCertainty().estimate(), withinPercentage(1e-3));
    }

    @Test
    void writesTheReportTheTablesAndTheRunConfigs() throws IOException {
        Path out = dir.resolve("out");
        String html = Files.readString(out.resolve("report.html"));
        assertThat(html).contains("data:image/png;base64,").contains("too small to conclude anything: 4 x 2 held-out (512 x 4 needed)");
        Path run = out.resolve("runs/arith-base-shuffled-seed3");
        assertThat(Files.readString(run.resolve("config.yaml"))).contains("shuffled");
        assertThat(run.resolve("metrics.jsonl")).exists();
        assertThat(run.resolve("held-out/step-2/rollouts.jsonl")).exists();
        assertThat(run.resolve("checkpoints/step-1")).doesNotExist();
        assertThat(run.resolve("checkpoints/step-2")).exists();
        assertThat(stderr).contains("score arith-base").contains("arm shuffled, seed 4");
        String table = SummaryTable.render(result);
        assertThat(table).startsWith("NOTE: --quick is a smoke test").contains("arith-base/shuffled/seed-3")
                .contains("reward validity before training");
        // two steps cannot show a trend: every run of this size says so, none passes its gate
        assertThat(table).contains("too few steps to tell").doesNotContain(" optimised (");
    }

    @Test
    void aSecondRunWithTheSamePlanResumesAndAnotherPlanStartsAfresh() throws IOException {
        Path out = dir.resolve("out");
        long before = Files.getLastModifiedTime(out.resolve("runs/arith-base-self_certainty-seed3/metrics.jsonl")).toMillis();
        DemoResult again = new Demo(CommittedModels.arithBase(), CommittedModels.arithInstruct(), out, TINY, 1,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).run();
        assertThat(Files.getLastModifiedTime(out.resolve("runs/arith-base-self_certainty-seed3/metrics.jsonl")).toMillis())
                .isEqualTo(before);
        assertThat(again.runs().getFirst().last().heldOut().accuracy())
                .isEqualTo(result.runs().getFirst().last().heldOut().accuracy());
    }

    @Test
    void refusesAnOutputDirectoryItDidNotWrite() throws IOException {
        Path foreign = dir.resolve("foreign");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        Demo demo = new Demo(CommittedModels.arithBase(), CommittedModels.arithInstruct(), foreign, TINY, 1,
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
