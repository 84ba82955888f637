package rlif.trainer.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import rlif.evaluator.data.ProblemSources;
import rlif.evaluator.data.SplitGenerator;
import rlif.evaluator.prompt.PromptFormat;
import rlif.evaluator.rollout.SamplingParams;
import rlif.models.BadInputException;
import rlif.trainer.grpo.GrpoSettings;
import rlif.trainer.grpo.LossType;
import rlif.trainer.grpo.ScaleRewards;
import rlif.trainer.optim.AdamWConfig;
import rlif.trainer.optim.LearningRateSchedule;
import rlif.trainer.params.LoraSpec;
import rlif.trainer.reward.RewardFunction;
import rlif.trainer.reward.RewardKind;

/**
 * A training run as read from {@code rlif train --config FILE.yaml [--set key=value ...]}: what to start from,
 * what to train, on which data, with which objective and optimiser. The objective's section is a TRL
 * {@code GRPOConfig} ({@code grpo:}) or {@code SFTConfig} ({@code sft:}) under TRL's own names; rlif's first
 * names are accepted as aliases ({@link ConfigAliases}). Every key is documented in {@code docs/training.md};
 * unknown keys and wrong types are errors naming the key's path as the user wrote it. Relative paths are
 * resolved against the config file's directory.
 *
 * @param source the config file
 * @param origins where a setting was written when not at its schema path (an older name, a {@code --set})
 */
public record TrainConfig(
        Path source,
        long seed,
        Objective objective,
        Path model,
        ModelInit init,
        Data data,
        Trainable trainable,
        Optimization optimization,
        Sft sft,
        Grpo grpo,
        Eval eval,
        Map<String, String> origins) {

    /** What the loss is. */
    public enum Objective {
        SFT,
        GRPO;

        /** The config spelling, which is also the name of the objective's section. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A fresh model with random weights (for pretraining); used when {@code model} is absent. */
    public record ModelInit(String architecture, Path tokenizer, int hiddenSize, int intermediateSize, int numLayers,
            int numHeads, int numKvHeads, int maxPositions, double ropeTheta, double initStd) {}

    /**
     * Where problems come from: anything {@code rlif score --data} reads. {@code evalSource} null means the
     * held-out problems are split off {@code source}: a generator's own test split, or for a file the rows whose
     * id hashes (with {@code splitSeed}) below {@code evalFraction}.
     */
    public record Data(String source, String evalSource, PromptFormat promptFormat, double evalFraction,
            long splitSeed) {}

    /** LoRA (rank, alpha, target projection names) or, with {@code full}, every weight. */
    public record Trainable(boolean full, LoraSpec lora) {}

    /**
     * The TrainingArguments part shared by SFT and GRPO: how many updates, the optimiser and its schedule, and
     * how often to log, evaluate and save.
     *
     * @param schedulerType the {@code lr_scheduler_type} as spelled, for {@code run.json}
     */
    public record Optimization(int maxSteps, AdamWConfig adamw, LearningRateSchedule schedule, String schedulerType,
            double maxGradNorm, int loggingSteps, int evalSteps, int saveSteps) {}

    /**
     * Supervised cross-entropy on prompt + worked solution (loss on the solution tokens only).
     *
     * @param batchSize sequences per optimiser step ({@code per_device_train_batch_size x gradient_accumulation_steps})
     * @param microBatchSize sequences per training-graph run ({@code per_device_train_batch_size})
     */
    public record Sft(int batchSize, int microBatchSize, int maxLength) {}

    /**
     * GRPO: {@code numGenerations} sampled completions for each of {@code promptsPerStep} prompts per batch,
     * rewarded, turned into advantages and trained on for {@code numIterations} optimiser steps.
     *
     * @param microBatchSize completions per training-graph run ({@code per_device_train_batch_size})
     * @param rolloutBatchSize completions the rollout engine decodes at once
     */
    public record Grpo(int promptsPerStep, int numGenerations, int microBatchSize, int rolloutBatchSize,
            SamplingParams sampling, GrpoSettings objective, ScaleRewards scaleRewards, int numIterations,
            RewardFunction reward, boolean shuffleWithinGroup) {
        public int completionsPerStep() {
            return promptsPerStep * numGenerations;
        }
    }

    /** Held-out evaluation: how many problems, how to decode them, how many rows the engine decodes at once. */
    public record Eval(int limit, SamplingParams sampling, int batchSize) {}

    public static TrainConfig read(Path file) {
        return read(file, List.of());
    }

    /** Reads {@code file} with {@code --set} overrides applied. */
    public static TrainConfig read(Path file, List<ConfigOverrides.Override> overrides) {
        JsonNode root;
        try {
            root = new YAMLMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read YAML: " + firstLine(e.getMessage()), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new BadInputException(file + ": the config is empty");
        }
        if (!root.isObject()) {
            throw new BadInputException(file + ": expected a mapping of keys to values");
        }
        return parse((ObjectNode) root.deepCopy(), overrides, file, file.toAbsolutePath().getParent());
    }

    static TrainConfig parse(ObjectNode root, List<ConfigOverrides.Override> overrides, Path file, Path dir) {
        String where = file + ": ";
        JsonNode objectiveNode = ConfigOverrides.objective(root, overrides);
        if (objectiveNode == null || objectiveNode.isNull()) {
            throw new BadInputException(where + "objective: is required (sft or grpo)");
        }
        if (!objectiveNode.isTextual() || !List.of("sft", "grpo").contains(objectiveNode.textValue())) {
            throw new BadInputException(where + "objective: expected one of sft, grpo, got " + objectiveNode);
        }
        Objective objective = Objective.valueOf(objectiveNode.textValue().toUpperCase(Locale.ROOT));
        Map<String, String> origins = new LinkedHashMap<>();
        ConfigAliases.normalise(root, objective.key(), origins, where);
        ConfigOverrides.apply(root, overrides, objective.key(), origins, where);
        ConfigNode c = new ConfigNode(file.toString(), "", root, origins);

        long seed = c.longInteger("seed", 0);
        c.string("objective", null);
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
        Data data = parseData(c.section("data"), dir);
        Trainable trainable = parseTrainable(c.section("trainable"));
        ConfigNode e = c.section("eval");
        Eval eval = new Eval(positive(e, "limit", 64), sampling(e, "temperature", 0.0, "top_k", "top_p", "max_new_tokens"),
                positive(e, "batch_size", 32));
        e.finish();
        String other = objective == Objective.SFT ? "grpo" : "sft";
        if (c.has(other)) {
            throw c.invalid(other, "given, but objective is " + objective.key() + "; remove it (or change objective)");
        }
        c.section(other).finish();
        ConfigNode s = c.section(objective.key());
        Optimization optimization = parseOptimization(s);
        Sft sft = objective == Objective.SFT ? parseSft(s) : null;
        Grpo grpo = objective == Objective.GRPO ? parseGrpo(s, optimization, data) : null;
        s.finish();
        c.finish();
        if (init != null && !trainable.full()) {
            throw c.invalid("trainable.full", "a model with random weights (init:) needs full: true");
        }
        return new TrainConfig(file, seed, objective, modelPath == null ? null : dir.resolve(modelPath), init, data,
                trainable, optimization, sft, grpo, eval, Map.copyOf(origins));
    }

    /** The number of optimiser steps. */
    public int steps() {
        return optimization.maxSteps();
    }

    /** How errors name a setting by its schema path, e.g. {@code run.yaml: grpo.max_steps} (or the name it was given as). */
    public String where(String path) {
        return source + ": " + named(path);
    }

    /** A setting's path as the user wrote it: an older name or {@code --set key} where it came from one. */
    public String named(String path) {
        return origins.getOrDefault(path, path);
    }

    /** The objective's section path of a TRL setting, e.g. {@code grpo.max_completion_length}. */
    public String key(String name) {
        return objective.key() + "." + name;
    }

    private static int positive(ConfigNode c, String key, int fallback) {
        int v = c.integer(key, fallback);
        if (v < 1) {
            throw c.invalid(key, "must be >= 1, got " + v);
        }
        return v;
    }

    private static int nonNegative(ConfigNode c, String key, int fallback) {
        int v = c.integer(key, fallback);
        if (v < 0) {
            throw c.invalid(key, "must be >= 0, got " + v);
        }
        return v;
    }

    private static SamplingParams sampling(ConfigNode c, String temperatureKey, double temperature, String topKKey,
            String topPKey, String lengthKey) {
        double t = c.number(temperatureKey, temperature);
        int topK = c.integer(topKKey, 0);
        double topP = c.number(topPKey, 1.0);
        int length = positive(c, lengthKey, 128);
        try {
            return new SamplingParams(t, topK, topP, length);
        } catch (BadInputException ex) {
            // SamplingParams speaks in score's flags; say which keys instead
            throw c.invalid(temperatureKey + "/" + topKKey + "/" + topPKey, ex.getMessage().replaceFirst("^--[a-z-]+ ", ""));
        }
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

    private static Data parseData(ConfigNode d, Path dir) {
        String source = source(d, "source", d.string("source", "arith"), dir);
        String eval = d.has("eval_source") ? source(d, "eval_source", d.string("eval_source", null), dir) : null;
        String format = d.choice("prompt_format", "plain", "plain", "chat");
        double fraction = d.number("eval_fraction", 0.1);
        if (!(fraction > 0 && fraction < 1)) {
            throw d.invalid("eval_fraction", "must be in (0, 1), got " + fraction);
        }
        long splitSeed = d.longInteger("split_seed", 0);
        d.finish();
        return new Data(source, eval, PromptFormat.valueOf(format.toUpperCase(Locale.ROOT)), fraction, splitSeed);
    }

    /**
     * A data source as {@code score --data} takes it, a file resolved against the config's directory. A
     * generator's spec must leave split, n and seed to the trainer.
     */
    private static String source(ConfigNode d, String key, String spec, Path dir) {
        if (spec.isBlank()) {
            throw d.invalid(key, "is empty; give a JSONL file or a generator such as arith:level=2");
        }
        Object parsed;
        try {
            parsed = ProblemSources.of(spec);
        } catch (BadInputException ex) {
            throw d.invalid(key, ex.getMessage());
        }
        if (parsed instanceof SplitGenerator) {
            String params = spec.contains(":") ? spec.substring(spec.indexOf(':') + 1) : "";
            for (String part : params.split(",")) {
                String k = part.contains("=") ? part.substring(0, part.indexOf('=')).trim() : "";
                if (SplitGenerator.DRAW_KEYS.contains(k)) {
                    throw d.invalid(key, "leave '" + k + "=' out: the trainer sets split, n and seed of a generator"
                            + " itself (training draws from its train split, evaluation from its test split)");
                }
            }
            return spec;
        }
        return dir.resolve(spec).normalize().toString();
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
        return new Trainable(full, new LoraSpec(rank, alpha, targets));
    }

    /** TrainingArguments' names, the same under {@code sft:} and {@code grpo:}. */
    private static Optimization parseOptimization(ConfigNode s) {
        int maxSteps = s.integer("max_steps", 0);
        if (maxSteps < 1) {
            throw s.invalid("max_steps", "is required and must be >= 1");
        }
        double lr = s.number("learning_rate", 1e-4);
        AdamWConfig adamw = new AdamWConfig(lr, s.number("adam_beta1", 0.9), s.number("adam_beta2", 0.999),
                s.number("adam_epsilon", 1e-8), s.number("weight_decay", 0.0));
        double maxGradNorm = s.number("max_grad_norm", 1.0);
        int warmup = nonNegative(s, "warmup_steps", 0);
        String type = s.choice("lr_scheduler_type", "cosine_with_min_lr", "constant", "constant_with_warmup", "linear",
                "cosine", "cosine_with_min_lr");
        ConfigNode kwargs = s.section("lr_scheduler_kwargs");
        double minRate = 0;
        if (type.equals("cosine_with_min_lr")) {
            minRate = kwargs.number("min_lr_rate", 0.1);
        } else if (kwargs.given("min_lr_rate")) {
            throw kwargs.invalid("min_lr_rate", "applies to lr_scheduler_type cosine_with_min_lr, not " + type);
        }
        kwargs.finish();
        if (type.equals("constant") && warmup > 0) {
            throw s.invalid("lr_scheduler_type", "constant has no warm-up (as in transformers); use"
                    + " constant_with_warmup for warmup_steps " + warmup);
        }
        LearningRateSchedule.Decay decay = switch (type) {
            case "linear" -> LearningRateSchedule.Decay.LINEAR;
            case "cosine", "cosine_with_min_lr" -> LearningRateSchedule.Decay.COSINE;
            default -> LearningRateSchedule.Decay.CONSTANT;
        };
        LearningRateSchedule schedule = new LearningRateSchedule(lr, warmup, maxSteps, decay, minRate);
        return new Optimization(maxSteps, adamw, schedule, type, maxGradNorm, positive(s, "logging_steps", 1),
                nonNegative(s, "eval_steps", 10), nonNegative(s, "save_steps", 0));
    }

    /**
     * Sequences per step: {@code per_device_train_batch_size x gradient_accumulation_steps} as in TRL, or rlif's
     * {@code batch_size} (per step) split into {@code gradient_accumulation_steps} micro-batches.
     */
    private static Sft parseSft(ConfigNode s) {
        int[] sizes = batchSizes(s, "batch_size", 16, 1);
        Sft sft = new Sft(sizes[0], sizes[1], positive(s, "max_length", 256));
        return sft;
    }

    /**
     * Resolves a step's batch from TRL's {@code per_device_train_batch_size x gradient_accumulation_steps} or
     * rlif's per-step count ({@code perStepKey}, in units of {@code unit} sequences); given the per-step count and the
     * micro-batch, the accumulation steps follow. Returns {@code {per-step count, sequences per micro-batch}}.
     */
    private static int[] batchSizes(ConfigNode s, String perStepKey, int perStepDefault, int unit) {
        boolean accumulationGiven = s.given("gradient_accumulation_steps");
        int accumulation = positive(s, "gradient_accumulation_steps", 1);
        boolean perDeviceGiven = s.given("per_device_train_batch_size");
        boolean perStepGiven = s.given(perStepKey);
        String unitName = unit == 1 ? "" : " x num_generations " + unit;
        if (perDeviceGiven && perStepGiven) {
            int micro = positive(s, "per_device_train_batch_size", 8);
            int perStep = positive(s, perStepKey, perStepDefault);
            long total = (long) perStep * unit;
            if (micro > total) {
                throw s.invalid("per_device_train_batch_size", micro + " sequences: a micro-batch larger than the"
                        + " step's batch of " + perStepKey + " " + perStep + unitName + " = " + total);
            }
            if (accumulationGiven ? (long) micro * accumulation != total : total % micro != 0) {
                throw s.invalid(perStepKey, perStep + unitName + " = " + total + " sequences do not split into"
                        + " micro-batches of per_device_train_batch_size " + micro
                        + (accumulationGiven ? " x gradient_accumulation_steps " + accumulation : ""));
            }
            return new int[] {perStep, micro};
        }
        if (perDeviceGiven) {
            int micro = positive(s, "per_device_train_batch_size", 8);
            long total = (long) micro * accumulation;
            if (total % unit != 0) {
                throw s.invalid("per_device_train_batch_size", micro + " x gradient_accumulation_steps " + accumulation
                        + " = " + total + " completions is not a whole number of groups of num_generations " + unit);
            }
            if (total / unit > Integer.MAX_VALUE) {
                throw s.invalid("per_device_train_batch_size", "too large");
            }
            return new int[] {(int) (total / unit), micro};
        }
        int perStep = positive(s, perStepKey, perStepDefault);
        long total = (long) perStep * unit;
        if (accumulation > total || total % accumulation != 0) {
            throw s.invalid("gradient_accumulation_steps", perStepKey + " " + perStep + unitName + " = " + total
                    + " sequences do not split into " + accumulation + " equal micro-batches");
        }
        return new int[] {perStep, Math.toIntExact(total / accumulation)};
    }

    private static Grpo parseGrpo(ConfigNode g, Optimization optimization, Data data) {
        int generations = positive(g, "num_generations", 8);
        if (generations < 2) {
            throw g.invalid("num_generations", "must be >= 2: advantages compare completions within a group");
        }
        int[] sizes = batchSizes(g, "prompts_per_step", 8, generations);
        ScaleRewards scale = scaleRewards(g);
        double epsilon = g.number("epsilon", 0.2);
        GrpoSettings settings = new GrpoSettings(epsilon, g.number("epsilon_high", epsilon), g.number("beta", 0.0),
                g.number("entropy_coef", 0.0),
                LossType.fromKey(g.choice("loss_type", "dapo", "grpo", "bnpo", "dr_grpo", "dapo")));
        int iterations = positive(g, "num_iterations", 1);
        if (optimization.saveSteps() > 0 && optimization.saveSteps() % iterations != 0) {
            throw g.invalid("save_steps", optimization.saveSteps() + " is not a multiple of num_iterations " + iterations
                    + ": a checkpoint must fall after the last update on a batch of rollouts, so a resumed run starts"
                    + " with fresh rollouts");
        }
        RewardFunction reward = parseReward(g);
        SamplingParams sampling = sampling(g, "temperature", 1.0, "top_k", "top_p", "max_completion_length");
        if (sampling.isGreedy()) {
            throw g.invalid("temperature", "must be > 0 for GRPO sampling, got 0");
        }
        return new Grpo(sizes[0], generations, sizes[1], positive(g, "rollout_batch_size", 64), sampling, settings,
                scale, iterations, reward, g.bool("shuffle_within_group", false));
    }

    /** TRL's {@code scale_rewards}: group, batch or none, or true/false for group/none. */
    private static ScaleRewards scaleRewards(ConfigNode g) {
        if (!g.has("scale_rewards")) {
            g.given("scale_rewards");
            return ScaleRewards.GROUP;
        }
        try {
            return g.bool("scale_rewards", true) ? ScaleRewards.GROUP : ScaleRewards.NONE;
        } catch (BadInputException notABoolean) {
            String v = g.choice("scale_rewards", "group", "group", "batch", "none");
            return ScaleRewards.valueOf(v.toUpperCase(Locale.ROOT));
        }
    }

    private static RewardFunction parseReward(ConfigNode g) {
        Map<String, Double> weights = g.numbers("reward");
        Map<RewardKind, Double> kinds = new EnumMap<>(RewardKind.class);
        for (Map.Entry<String, Double> w : weights.entrySet()) {
            RewardKind kind = RewardKind.fromKey(w.getKey());
            if (kind == null) {
                throw g.invalid("reward." + w.getKey(),
                        "unknown reward (known: self_certainty, token_entropy, trajectory_entropy, verifiable)");
            }
            if (!Double.isFinite(w.getValue())) {
                throw g.invalid("reward." + w.getKey(), "the weight must be a finite number");
            }
            kinds.put(kind, w.getValue());
        }
        if (kinds.isEmpty()) {
            throw g.invalid("reward", "is required for objective grpo, e.g. {self_certainty: 1.0}");
        }
        return new RewardFunction(kinds);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "malformed";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
