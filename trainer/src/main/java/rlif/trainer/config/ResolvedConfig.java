package rlif.trainer.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import rlif.evaluator.rollout.SamplingParams;
import rlif.trainer.reward.RewardKind;

/**
 * Every setting of a run after aliases, overrides and defaults, under the schema's names: what {@code run.json}
 * records, and what the config digest (which {@code --resume} compares) is taken of. So an old-names config and
 * its TRL-names twin, or two files differing only in comments or in spelling out a default, are the same run.
 */
public final class ResolvedConfig {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ResolvedConfig() {}

    public static ObjectNode of(TrainConfig c) {
        ObjectNode o = JSON.createObjectNode();
        o.put("seed", c.seed());
        o.put("objective", c.objective().key());
        if (c.model() != null) {
            o.put("model", c.model().toAbsolutePath().normalize().toString());
        } else {
            ObjectNode i = o.putObject("init");
            TrainConfig.ModelInit m = c.init();
            i.put("architecture", m.architecture());
            i.put("tokenizer", m.tokenizer().getFileName().toString().equals("char") ? "char"
                    : m.tokenizer().toAbsolutePath().normalize().toString());
            i.put("hidden_size", m.hiddenSize());
            i.put("intermediate_size", m.intermediateSize());
            i.put("num_layers", m.numLayers());
            i.put("num_heads", m.numHeads());
            i.put("num_kv_heads", m.numKvHeads());
            i.put("max_position_embeddings", m.maxPositions());
            i.put("rope_theta", m.ropeTheta());
            i.put("init_std", m.initStd());
        }
        ObjectNode d = o.putObject("data");
        d.put("source", c.data().source());
        if (c.data().evalSource() != null) {
            d.put("eval_source", c.data().evalSource());
        }
        d.put("prompt_format", c.data().promptFormat().json());
        d.put("eval_fraction", c.data().evalFraction());
        d.put("split_seed", c.data().splitSeed());
        ObjectNode t = o.putObject("trainable");
        t.put("full", c.trainable().full());
        ObjectNode l = t.putObject("lora");
        l.put("rank", c.trainable().lora().rank());
        l.put("alpha", c.trainable().lora().alpha());
        c.trainable().lora().targets().forEach(l.putArray("targets")::add);
        ObjectNode e = o.putObject("eval");
        e.put("limit", c.eval().limit());
        sampling(e, c.eval().sampling(), "max_new_tokens");
        e.put("batch_size", c.eval().batchSize());
        ObjectNode s = o.putObject(c.objective().key());
        TrainConfig.Optimization opt = c.optimization();
        s.put("max_steps", opt.maxSteps());
        s.put("learning_rate", opt.adamw().lr());
        s.put("lr_scheduler_type", opt.schedulerType());
        if (opt.schedulerType().equals("cosine_with_min_lr")) {
            s.putObject("lr_scheduler_kwargs").put("min_lr_rate", opt.schedule().minRatio());
        }
        s.put("warmup_steps", opt.schedule().warmupSteps());
        s.put("weight_decay", opt.adamw().weightDecay());
        s.put("adam_beta1", opt.adamw().beta1());
        s.put("adam_beta2", opt.adamw().beta2());
        s.put("adam_epsilon", opt.adamw().eps());
        s.put("max_grad_norm", opt.maxGradNorm());
        s.put("logging_steps", opt.loggingSteps());
        s.put("eval_steps", opt.evalSteps());
        s.put("save_steps", opt.saveSteps());
        if (c.sft() != null) {
            s.put("batch_size", c.sft().batchSize());
            s.put("per_device_train_batch_size", c.sft().microBatchSize());
            s.put("gradient_accumulation_steps", c.sft().batchSize() / c.sft().microBatchSize());
            s.put("max_length", c.sft().maxLength());
        }
        if (c.grpo() != null) {
            TrainConfig.Grpo g = c.grpo();
            s.put("prompts_per_step", g.promptsPerStep());
            s.put("num_generations", g.numGenerations());
            s.put("per_device_train_batch_size", g.microBatchSize());
            s.put("gradient_accumulation_steps", g.completionsPerStep() / g.microBatchSize());
            s.put("rollout_batch_size", g.rolloutBatchSize());
            sampling(s, g.sampling(), "max_completion_length");
            s.put("beta", g.objective().beta());
            s.put("epsilon", g.objective().epsilonLow());
            s.put("epsilon_high", g.objective().epsilonHigh());
            s.put("entropy_coef", g.objective().entropyCoef());
            s.put("loss_type", g.objective().lossType().key());
            s.put("scale_rewards", g.scaleRewards().key());
            s.put("num_iterations", g.numIterations());
            ObjectNode r = s.putObject("reward");
            for (Map.Entry<RewardKind, Double> w : new java.util.TreeMap<>(g.reward().weights()).entrySet()) {
                r.put(w.getKey().key(), w.getValue());
            }
            s.put("shuffle_within_group", g.shuffleWithinGroup());
        }
        return o;
    }

    /** SHA-256 of the resolved settings (first 16 bytes, hex). */
    public static String digest(TrainConfig c) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256")
                    .digest(JSON.writeValueAsString(of(c)).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 16);
        } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot hash the config", e);
        }
    }

    private static void sampling(ObjectNode o, SamplingParams p, String lengthKey) {
        o.put("temperature", p.temperature());
        o.put("top_k", p.topK());
        o.put("top_p", p.topP());
        o.put(lengthKey, p.maxNewTokens());
    }
}
