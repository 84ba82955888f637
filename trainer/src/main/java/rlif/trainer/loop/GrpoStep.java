package rlif.trainer.loop;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import rlif.evaluator.data.Problem;
import rlif.trainer.batch.MicroBatch;
import rlif.trainer.batch.MicroBatcher;
import rlif.trainer.batch.Sequence;
import rlif.trainer.config.TrainConfig;
import rlif.trainer.data.TrainingData;
import rlif.trainer.graph.TokenBatch;
import rlif.trainer.graph.TrainingSession;
import rlif.trainer.grpo.Advantages;
import rlif.trainer.metrics.ResidentMemory;
import rlif.trainer.reward.RewardFunction;
import rlif.trainer.reward.RewardKind;

/**
 * A GRPO step. Every {@code num_iterations} steps it samples a batch: {@code num_generations} completions for
 * each of {@code prompts_per_step} training problems from the current policy (in engine batches of
 * {@code rollout_batch_size}), graded and rewarded, the rewards turned into group-relative advantages, and the
 * completions cut into micro-batches (with the reference policy's log-probs when {@code beta > 0}). Each step
 * then makes one optimiser update on that batch; old log-probs are the sampler's own, so the first update on a
 * batch has ratio 1 and later ones are clipped at {@code [1 - epsilon, 1 + epsilon_high]}.
 */
final class GrpoStep implements TrainingStep {
    private final TrainConfig.Grpo settings;
    private final long seed;
    private final TrainingData data;
    private final StartingModel model;
    private final Policy policy;
    private final OptimizerStep optimizer;
    private final Map<String, float[]> reference;
    /** The batch being trained on, and the step that sampled it. */
    private Batch current;
    private long inputTokens;

    /** A sampled batch: its micro-batches and what the metrics row says about its rollouts. */
    private record Batch(long sampledAt, List<MicroBatch> micro, Map<String, Object> metrics, double seconds,
            double referenceSeconds) {}

    GrpoStep(TrainConfig.Grpo settings, long seed, TrainingData data, StartingModel model, Policy policy,
            OptimizerStep optimizer) {
        this.settings = settings;
        this.seed = seed;
        this.data = data;
        this.model = model;
        this.policy = policy;
        this.optimizer = optimizer;
        this.reference = settings.objective().beta() > 0 ? policy.trainables().snapshot() : null;
    }

    @Override
    public Map<String, Object> run(long step) {
        Map<String, Object> row = new LinkedHashMap<>();
        inputTokens = 0;
        if ((step - 1) % settings.numIterations() == 0) {
            current = sample((step - 1) / settings.numIterations() + 1, step);
            row.putAll(current.metrics());
        } else if (current == null) {
            throw new IllegalStateException("step " + step + " continues a batch of rollouts that was not sampled");
        }
        OptimizerStep.Outcome o = optimizer.apply(current.micro(), step);
        row.putAll(o.metrics());
        if (settings.numIterations() > 1) {
            row.put("iteration", (int) ((step - 1) % settings.numIterations()) + 1);
        }
        if (current.sampledAt() == step) {
            row.put("seconds_rollout", current.seconds());
            row.put("seconds_reference", current.referenceSeconds());
        }
        return row;
    }

    @Override
    public long inputTokens() {
        return inputTokens;
    }

    /** Samples, grades and rewards batch number {@code index} and packs it for training. */
    private Batch sample(long index, long step) {
        long t0 = System.nanoTime();
        long batchSeed = TrainingData.stepSeed(seed, index);
        List<Problem> problems = data.train(index, settings.promptsPerStep());
        List<Rollouts.Graded> graded = Rollouts.generate(policy, model, problems, settings.numGenerations(),
                settings.sampling(), batchSeed, settings.rolloutBatchSize());
        RewardFunction reward = settings.reward();
        int n = graded.size();
        double[][] components = new double[n][];
        double[] rewards = new double[n];
        for (int i = 0; i < n; i++) {
            components[i] = reward.components(graded.get(i).rollout().signals(), graded.get(i).correct());
            rewards[i] = reward.total(components[i]);
        }
        int group = settings.numGenerations();
        double[] trained = settings.shuffleWithinGroup() ? Advantages.shuffledWithinGroups(rewards, group, ~batchSeed)
                : rewards;
        double[] adv = Advantages.of(trained, group, settings.scaleRewards());
        List<Sequence> seqs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            var r = graded.get(i).rollout();
            seqs.add(new Sequence(r.promptIds(), r.completionIds(), r.tokenLogprobs(), adv[i]));
            inputTokens += r.promptIds().length + r.completionIds().length;
        }
        List<MicroBatch> micro = MicroBatcher.grpo(seqs, settings.microBatchSize(), settings.objective().lossType(),
                settings.sampling().maxNewTokens(), settings.objective().entropyCoef() > 0, model.padId());
        long t1 = System.nanoTime();
        ResidentMemory.trace("rewards and micro-batches");
        if (reference != null) {
            micro = withReferenceLogprobs(micro);
        }
        long t2 = System.nanoTime();
        ResidentMemory.trace("reference log-probs");

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("reward", mean(rewards));
        m.put("reward_std", Advantages.std(rewards, 0, n));
        m.put("frac_reward_zero_std", Advantages.zeroStdShare(trained, group, settings.scaleRewards()));
        List<RewardKind> kinds = reward.kinds();
        for (int k = 0; k < kinds.size(); k++) {
            double[] c = new double[n];
            for (int i = 0; i < n; i++) {
                c[i] = components[i][k];
            }
            m.put("rewards/" + kinds.get(k).key() + "/mean", mean(c));
            m.put("rewards/" + kinds.get(k).key() + "/std", Advantages.std(c, 0, n));
        }
        m.putAll(RolloutMetrics.of(graded));
        return new Batch(step, micro, m, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
    }

    /** Each micro-batch with the reference policy's (the starting weights') log-probs of its tokens. */
    private List<MicroBatch> withReferenceLogprobs(List<MicroBatch> micro) {
        List<MicroBatch> out = new ArrayList<>(micro.size());
        for (MicroBatch m : micro) {
            TrainingSession.Pass ref = policy.session().forward(reference, m.batch());
            float[] lp = new float[ref.tokenLogp().length];
            for (int i = 0; i < lp.length; i++) {
                lp[i] = (float) ref.tokenLogp()[i];
            }
            TokenBatch b = m.batch().withRefLogp(lp);
            out.add(new MicroBatch(b, m.sequences()));
        }
        return out;
    }

    private static double mean(double[] xs) {
        double s = 0;
        for (double x : xs) {
            s += x;
        }
        return xs.length == 0 ? 0 : s / xs.length;
    }
}
