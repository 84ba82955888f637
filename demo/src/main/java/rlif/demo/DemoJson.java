package rlif.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import rlif.evaluator.metrics.Interval;
import rlif.evaluator.validity.RewardValidity;
import rlif.models.io.AtomicFiles;
import rlif.trainer.metrics.RewardTrend;

/**
 * Writes {@code demo.json}: the fields DESIGN section 9 names, in its order, each object followed by what this
 * demo adds (docs/cli.md#demo): 95% intervals ({@code X_ci95: [low, high]}) beside every held-out value, the
 * transitional-word measures, each run's arm, seed, gate and paired accuracy change, the reward validity of each
 * signal, and the plan with a {@code conclusive} flag that is false for {@code --quick}.
 */
public final class DemoJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private DemoJson() {}

    public static ObjectNode toJson(DemoResult r) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode models = root.putArray("models");
        for (DemoResult.ModelScore m : r.models()) {
            ObjectNode o = models.addObject();
            o.put("name", m.name());
            designFields(o, m.heldOut(), false);
            o.put("prompt_format", m.promptFormat());
            extras(o, m.heldOut());
        }
        ArrayNode runs = root.putArray("runs");
        for (DemoResult.Run run : r.runs()) {
            ObjectNode o = runs.addObject();
            o.put("name", run.name());
            o.put("model", run.model());
            o.put("reward", run.arm().rewardName());
            ArrayNode steps = o.putArray("steps");
            for (DemoResult.StepPoint s : run.steps()) {
                ObjectNode p = steps.addObject();
                p.put("step", s.step());
                designFields(p, s.heldOut(), true);
                extras(p, s.heldOut());
            }
            o.put("arm", run.arm().name());
            o.put("control", run.arm().isControl());
            o.put("seed", run.seed());
            o.set("gate", gate(run.gate()));
            interval(o, "accuracy_change", run.accuracyChange());
        }
        ArrayNode mix = root.putArray("mix");
        for (DemoResult.MixPoint m : r.mix()) {
            ObjectNode o = mix.addObject();
            o.put("alpha", m.alpha());
            designFields(o, m.heldOut(), false);
            extras(o, m.heldOut());
        }
        ArrayNode validity = root.putArray("reward_validity");
        for (RewardValidity.Report v : r.validity()) {
            validity.add(RewardValidity.toJson(v));
        }
        root.set("plan", plan(r.plan()));
        root.put("conclusive", r.plan().conclusive());
        root.put("note", r.plan().shortfall());
        return root;
    }

    /** DESIGN section 9's fields of a held-out measurement, in its order. */
    private static void designFields(ObjectNode o, HeldOut h, boolean step) {
        number(o, "accuracy", h.accuracy().estimate());
        number(o, "token_entropy", h.tokenEntropy().estimate());
        number(o, "self_certainty", h.selfCertainty().estimate());
        if (step) {
            number(o, "trajectory_entropy", h.trajectoryEntropy().estimate());
            number(o, "completion_length", h.completionLength().estimate());
            number(o, "transitional_rate", h.transitionalRate().estimate());
        }
    }

    /** What the demo adds to a held-out measurement: intervals, and the transitional measures. */
    private static void extras(ObjectNode o, HeldOut h) {
        ci(o, "accuracy", h.accuracy());
        ci(o, "token_entropy", h.tokenEntropy());
        ci(o, "self_certainty", h.selfCertainty());
        if (!o.has("transitional_rate")) {
            number(o, "transitional_rate", h.transitionalRate().estimate());
            number(o, "completion_length", h.completionLength().estimate());
        }
        ci(o, "transitional_rate", h.transitionalRate());
        interval(o, "check_share", h.checkShare());
    }

    private static ObjectNode gate(RewardTrend g) {
        ObjectNode o = JSON.createObjectNode();
        number(o, "reward_slope", g.slope());
        number(o, "reward_slope_stderr", g.stderr());
        number(o, "t", g.t());
        o.put("optimised", g.optimised());
        o.put("verdict", g.verdict());
        number(o, "reward_first", g.first());
        number(o, "reward_last", g.last());
        o.put("steps", g.steps());
        return o;
    }

    /** The plan, as written to {@code plan.json} (a re-run with the same plan resumes). */
    static ObjectNode plan(DemoPlan p) {
        ObjectNode o = JSON.createObjectNode();
        o.put("task", p.task());
        o.put("held_out", p.heldOutSpec());
        o.put("held_out_samples", p.heldOutSamples());
        o.put("base_prompt_format", p.baseFormat().json());
        o.put("instruct_prompt_format", p.instructFormat().json());
        o.put("max_new_tokens", p.maxNewTokens());
        o.put("steps", p.steps());
        o.put("eval_every", p.evalEvery());
        o.put("prompts_per_step", p.promptsPerStep());
        o.put("group_size", p.groupSize());
        o.put("learning_rate", p.learningRate());
        ArrayNode arms = o.putArray("arms");
        p.arms().forEach(a -> arms.add(a.name()));
        ArrayNode seeds = o.putArray("seeds");
        p.seeds().forEach(seeds::add);
        ArrayNode alphas = o.putArray("alphas");
        p.alphas().forEach(alphas::add);
        o.put("quick", p.isQuick());
        return o;
    }

    /** What identifies a demo's work: the plan and the two models (a change of either starts afresh). */
    static String identity(DemoPlan p, Path base, Path instruct) {
        ObjectNode o = JSON.createObjectNode();
        o.put("base", base.toString());
        o.put("instruct", instruct.toString());
        o.set("plan", plan(p));
        return text(o);
    }

    public static void write(Path file, DemoResult r) {
        AtomicFiles.writeString(file, text(toJson(r)));
    }

    private static String text(ObjectNode o) {
        try {
            return JSON.writeValueAsString(o) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise demo.json", e);
        }
    }

    /** {@code name}, {@code name_stderr} and {@code name_ci95}. */
    private static void interval(ObjectNode o, String name, Interval i) {
        number(o, name, i.estimate());
        number(o, name + "_stderr", i.stderr());
        ci(o, name, i);
    }

    private static void ci(ObjectNode o, String name, Interval i) {
        if (i.isDefined()) {
            o.putArray(name + "_ci95").add(i.low()).add(i.high());
        } else {
            o.putNull(name + "_ci95");
        }
    }

    /** JSON has no NaN: an undefined value is null. */
    private static void number(ObjectNode o, String field, double v) {
        if (Double.isFinite(v)) {
            o.put(field, v);
        } else {
            o.putNull(field);
        }
    }
}
