package rlif.trainer.loop;

import java.nio.file.Path;
import java.util.List;
import rlif.evaluator.data.Problem;
import rlif.evaluator.prompt.PromptEncoder;
import rlif.models.BadInputException;
import rlif.models.arch.DecoderConfig;
import rlif.models.arch.HfConfig;
import rlif.models.arch.OnnxWeightSource;
import rlif.models.arch.WeightSource;
import rlif.models.dir.ModelDirectory;
import rlif.models.tokenizer.ModelTokenizer;
import rlif.trainer.config.TrainConfig;
import rlif.trainer.data.TrainingData;
import rlif.trainer.params.FiniteWeights;

/**
 * The model a run starts from, opened and checked against the run before anything is trained: its config and
 * weights (finite), its tokenizer, the prompt encoder {@code rlif score} uses (so a problem becomes the same ids in
 * both), an eos to end completions, and every training and held-out prompt encodable within the context length.
 */
final class StartingModel implements AutoCloseable {
    private final Path dir;
    private final DecoderConfig config;
    private final WeightSource weights;
    private final ModelTokenizer tokenizer;
    private final PromptEncoder prompts;
    private final int eos;
    private final int pad;

    private StartingModel(Path dir, DecoderConfig config, WeightSource weights, ModelTokenizer tokenizer,
            PromptEncoder prompts, int eos, int pad) {
        this.dir = dir;
        this.config = config;
        this.weights = weights;
        this.tokenizer = tokenizer;
        this.prompts = prompts;
        this.eos = eos;
        this.pad = pad;
    }

    static StartingModel open(Path dir, TrainConfig cfg, TrainingData data) {
        ModelDirectory model = ModelDirectory.open(dir);
        DecoderConfig config = HfConfig.read(dir.resolve("config.json"));
        if (config.eosTokenIds().isEmpty()) {
            throw new BadInputException(dir + ": the model has no eos token id; completions could never end");
        }
        if (model.tokenizerFile().isEmpty()) {
            throw new BadInputException(dir + " has no tokenizer.json; training needs it to encode prompts and solutions");
        }
        WeightSource weights = OnnxWeightSource.open(dir);
        FiniteWeights.require(weights, dir.toString());
        int maxNew = cfg.grpo() != null ? cfg.grpo().sampling().maxNewTokens() : cfg.eval().sampling().maxNewTokens();
        String lengthKey = cfg.grpo() != null ? cfg.named(cfg.key("max_completion_length")) : cfg.named("eval.max_new_tokens");
        ModelTokenizer tokenizer = model.openTokenizer();
        try {
            PromptEncoder prompts = PromptEncoder.of(model, cfg.data().promptFormat(), tokenizer,
                    Math.max(maxNew, cfg.eval().sampling().maxNewTokens()),
                    new PromptEncoder.Labels(cfg.where("data.source") + ":", lengthKey, cfg.where("data.prompt_format") + ":"));
            // (a chat format for a model without a template fails here, naming the config key and the model file)
            int pad = config.padTokenId() == null ? 0 : config.padTokenId();
            StartingModel m = new StartingModel(dir, config, weights, tokenizer, prompts, config.eosTokenIds().getFirst(),
                    pad);
            int firstBatch = cfg.grpo() != null ? cfg.grpo().promptsPerStep() : cfg.sft().batchSize();
            for (Problem p : data.heldOut()) {
                prompts.encode(p);
            }
            for (Problem p : data.train(1, firstBatch)) {
                prompts.encode(p);
            }
            return m;
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    Path dir() {
        return dir;
    }

    DecoderConfig config() {
        return config;
    }

    WeightSource weights() {
        return weights;
    }

    ModelTokenizer tokenizer() {
        return tokenizer;
    }

    /** The ids the model sees for {@code p}: the same function {@code rlif score} uses. */
    int[] promptIds(Problem p) {
        return prompts.encode(p);
    }

    /** The SFT target of {@code p}: its worked solution's tokens and the eos that ends it. */
    int[] solutionIds(Problem p) {
        int[] sol = tokenizer.encode(p.solution(), false);
        int[] out = java.util.Arrays.copyOf(sol, sol.length + 1);
        out[sol.length] = eos;
        return out;
    }

    int padId() {
        return pad;
    }

    List<Integer> eosIds() {
        return config.eosTokenIds();
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
