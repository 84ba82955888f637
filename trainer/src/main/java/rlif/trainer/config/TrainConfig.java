package rlif.trainer.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import rlif.models.BadInputException;
import rlif.trainer.grpo.GrpoSettings;
import rlif.trainer.optim.AdamWConfig;
import rlif.trainer.reward.RewardFunction;
import rlif.trainer.reward.RewardKind;

/**
 * A training run as read from {@code rlif train --config FILE.yaml}: what to start from, what to train,
 * on which data, with which objective and optimiser. Every key is documented in {@code docs/training.md};
 * unknown keys and wrong types are errors naming the key's path. Relative paths are resolved against the
 * config file's directory.
 */
public record TrainConfig(
        Path source,
        long seed,
        int steps,
        Objective objective,
        Path model,
        ModelInit init,
        Data data,
        Trainable trainable,
        AdamWConfig optimizer,
        Schedule schedule,
        double maxGradNorm,
        Sft sft,
        Grpo grpo,
        Eval eval,
        int checkpointEvery) {

    /** What the loss is. */
    public enum Objective { SFT, GRPO }

    /** A fresh model with random weights (for pretraining); used when {@code model} is absent. */
    public record ModelInit(String architecture, Path tokenizer, int hiddenSize, int intermediateSize, int numLayers,
            int numHeads, int numKvHeads, int maxPositions, double ropeTheta, double initStd) {}

    /**
     * Where problems come from: {@code arith} or {@code arith:level=N,...} (the trainer adds split, n and
     * seed); {@code evalSource} is the held-out set's spec (the test split of the same generator by default).
     */
    public record Data(String source, String evalSource) {}

    /** LoRA (rank, alpha, target projection names) or, with {@code full}, every weight. */
    public record Trainable(boolean full, int rank, double alpha, List<String> targets) {}

    /** Warm-up then constant or cosine decay. */
    public record Schedule(int warmupSteps, boolean cosine, double minLrRatio) {}

    /** Supervised cross-entropy on prompt + worked solution (loss on the solution tokens only). */
    public record Sft(int batchSize, int maxLength) {}

    /** GRPO: groups of sampled completions per prompt, rewards and the objective's knobs. */
    public record Grpo(int promptsPerStep, int groupSize, boolean scaleRewards, GrpoSettings settings,
            RewardFunction reward, double temperature, int topK, double topP, int maxNewTokens) {}

    /** Held-out evaluation every {@code every} steps (0 = only before and after). */
    public record Eval(int every, int limit, double temperature, int maxNewTokens, int batchSize) {}

    public static TrainConfig read(Path file) {
        JsonNode root;
        try {
            root = new YAMLMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read YAML: " + firstLine(e.getMessage()), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new BadInputException(file + ": the config is empty");
        }
        Path dir = file.toAbsolutePath().getParent();
        return parse(new ConfigNode(file.toString(), "", root), file, dir);
    }

    static TrainConfig parse(ConfigNode c, Path file, Path dir) {
        long seed = c.longInteger("seed", 0);
        int steps = c.integer("steps", 0);
        if (steps < 1) {
            throw c.invalid("steps", "is required and must be >= 1");
        }
        String objectiveName = c.choice("objective", null, "sft", "grpo");
        if (objectiveName == null) {
            throw c.invalid("objective", "is required (sft or grpo)");
        }
        Objective objective = Objective.valueOf(objectiveName.toUpperCase(java.util.Locale.ROOT));
        String modelPath = c.string("model", null);
        ModelInit init = null;
        if (c.has("init")) {
            if (modelPath != null) {
                throw c.invalid("init", "give either model (a directory to start from) or init (random weights), not both");
            }
            init = parseInit(c.section("init"), dir);
        } else if (modelPath == null) {
            throw c.invalid("model", "is required (a model directory), or give init: for random weights");
        }
        Data data = parseData(c.section("data"));
        Trainable trainable = parseTrainable(c.section("trainable"));
        ConfigNode o = c.section("optimizer");
        AdamWConfig adamw = new AdamWConfig(o.number("lr", 1e-4), o.number("beta1", 0.9), o.number("beta2", 0.999),
                o.number("eps", 1e-8), o.number("weight_decay", 0.0));
        double maxGradNorm = o.number("max_grad_norm", 1.0);
        Schedule schedule = new Schedule(o.integer("warmup_steps", 0),
                "cosine".equals(o.choice("schedule", "cosine", "cosine", "constant")), o.number("min_lr_ratio", 0.1));
        o.finish();
        ConfigNode s = c.section("sft");
        Sft sft = new Sft(positive(s, "batch_size", 16), positive(s, "max_length", 256));
        s.finish();
        Grpo grpo = parseGrpo(c.section("grpo"), objective);
        ConfigNode e = c.section("eval");
        Eval eval = new Eval(e.integer("every", 10), positive(e, "limit", 64), e.number("temperature", 0.0),
                positive(e, "max_new_tokens", 128), positive(e, "batch_size", 32));
        e.finish();
        ConfigNode k = c.section("checkpoint");
        int checkpointEvery = k.integer("every", 0);
        k.finish();
        c.finish();
        if (init != null && !trainable.full()) {
            throw c.invalid("trainable.full", "a model with random weights (init:) needs full: true");
        }
        return new TrainConfig(file, seed, steps, objective, modelPath == null ? null : dir.resolve(modelPath), init,
                data, trainable, adamw, schedule, maxGradNorm, sft, grpo, eval, checkpointEvery);
    }

    private static int positive(ConfigNode c, String key, int fallback) {
        int v = c.integer(key, fallback);
        if (v < 1) {
            throw c.invalid(key, "must be >= 1, got " + v);
        }
        return v;
    }

    private static ModelInit parseInit(ConfigNode i, Path dir) {
        String arch = i.choice("architecture", "llama", "llama");
        String tok = i.requiredString("tokenizer");
        int hidden = positive(i, "hidden_size", 64);
        int heads = positive(i, "num_heads", 4);
        if (hidden % heads != 0) {
            throw i.invalid("num_heads", "must divide hidden_size " + hidden);
        }
        int kv = positive(i, "num_kv_heads", heads);
        if (heads % kv != 0) {
            throw i.invalid("num_kv_heads", "must divide num_heads " + heads);
        }
        ModelInit init = new ModelInit(arch, dir.resolve(tok), hidden, positive(i, "intermediate_size", 4 * hidden),
                positive(i, "num_layers", 2), heads, kv, positive(i, "max_position_embeddings", 512),
                i.number("rope_theta", 10000.0), i.number("init_std", 0.02));
        i.finish();
        return init;
    }

    private static Data parseData(ConfigNode d) {
        String source = d.string("source", "arith");
        String eval = d.string("eval_source", source);
        for (String[] kv : new String[][] {{"source", source}, {"eval_source", eval}}) {
            if (!rlif.evaluator.data.ArithSpec.isArith(kv[1])) {
                throw d.invalid(kv[0], "expected 'arith' or 'arith:key=value,...' (training needs generated problems"
                        + " with worked solutions), got '" + kv[1] + "'");
            }
            for (String reserved : List.of("split=", "n=", "seed=")) {
                if (kv[1].contains(reserved)) {
                    throw d.invalid(kv[0], "leave '" + reserved + "' out: the trainer sets split, n and seed itself");
                }
            }
            rlif.evaluator.data.ArithSpec.parse(kv[1]);
        }
        d.finish();
        return new Data(source, eval);
    }

    private static Trainable parseTrainable(ConfigNode t) {
        boolean full = t.bool("full", false);
        ConfigNode l = t.section("lora");
        int rank = positive(l, "rank", 8);
        double alpha = l.number("alpha", 2.0 * rank);
        List<String> targets = l.strings("targets", List.of("q_proj", "v_proj"));
        if (targets.isEmpty() && !full) {
            throw l.invalid("targets", "name at least one projection, or set trainable.full: true");
        }
        l.finish();
        t.finish();
        return new Trainable(full, rank, alpha, targets);
    }

    private static Grpo parseGrpo(ConfigNode g, Objective objective) {
        int prompts = positive(g, "prompts_per_step", 8);
        int group = positive(g, "group_size", 8);
        boolean scale = g.bool("scale_rewards", true);
        GrpoSettings settings = new GrpoSettings(g.number("clip_epsilon", 0.2), g.number("kl_coef", 0.0),
                g.number("entropy_coef", 0.0),
                GrpoSettings.Averaging.valueOf(g.choice("averaging", "token", "token", "sequence")
                        .toUpperCase(java.util.Locale.ROOT)));
        Map<String, Double> weights = g.numbers("reward");
        Map<RewardKind, Double> kinds = new EnumMap<>(RewardKind.class);
        for (Map.Entry<String, Double> w : weights.entrySet()) {
            RewardKind kind = RewardKind.fromKey(w.getKey());
            if (kind == null) {
                throw g.invalid("reward." + w.getKey(),
                        "unknown reward (known: self_certainty, token_entropy, trajectory_entropy, verifiable)");
            }
            kinds.put(kind, w.getValue());
        }
        if (kinds.isEmpty()) {
            if (objective == Objective.GRPO) {
                throw g.invalid("reward", "is required for objective grpo, e.g. {self_certainty: 1.0}");
            }
            kinds.put(RewardKind.VERIFIABLE, 1.0);
        }
        double temperature = g.number("temperature", 1.0);
        if (!(temperature > 0)) {
            throw g.invalid("temperature", "must be > 0 for GRPO sampling, got " + temperature);
        }
        Grpo grpo = new Grpo(prompts, group, scale, settings, new RewardFunction(kinds), temperature,
                g.integer("top_k", 0), g.number("top_p", 1.0), positive(g, "max_new_tokens", 128));
        if (group < 2 && objective == Objective.GRPO) {
            throw g.invalid("group_size", "must be >= 2: advantages compare completions within a group");
        }
        g.finish();
        return grpo;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "malformed";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
