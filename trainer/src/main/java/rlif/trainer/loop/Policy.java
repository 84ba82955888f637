package rlif.trainer.loop;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import rlif.evaluator.rollout.EngineOptions;
import rlif.evaluator.rollout.EngineKind;
import rlif.evaluator.rollout.RolloutEngine;
import rlif.evaluator.rollout.RolloutEngines;
import rlif.models.arch.DecoderConfig;
import rlif.models.arch.DecoderOptions;
import rlif.models.arch.LinearWeights;
import rlif.models.arch.Decoders;
import rlif.models.arch.ModelDirectoryWriter;
import rlif.models.arch.WeightSource;
import rlif.models.dir.ModelDirectory;
import rlif.models.tensor.DType;
import rlif.trainer.config.TrainConfig;
import rlif.trainer.graph.TrainingGraph;
import rlif.trainer.graph.TrainingSession;
import rlif.trainer.params.LoraSpec;
import rlif.trainer.params.MergedWeights;
import rlif.trainer.params.TrainableHooks;
import rlif.trainer.params.Trainables;

/**
 * The model being trained: frozen base weights, the trainables, the training graph session, and a
 * rollout engine whose decoder takes the trainables as inputs, so sampling always uses the current
 * policy without exporting it ({@link #syncEngine()} after every update).
 */
public final class Policy implements AutoCloseable {
    private final DecoderConfig config;
    private final WeightSource base;
    private final Path baseDir;
    private final TrainableHooks hooks;
    private final LoraSpec lora;
    private final TrainingSession session;
    private final RolloutEngine engine;
    private Map<String, OnnxTensor> engineInputs = Map.of();

    public Policy(DecoderConfig config, WeightSource base, Path baseDir, TrainConfig.Trainable trainable, long seed,
            TrainingGraph.Objective objective, Path workDir, Compute compute) {
        this.config = config;
        this.base = base;
        this.baseDir = baseDir;
        this.lora = trainable.lora();
        Trainables trainables = new Trainables();
        this.hooks = trainable.full() ? TrainableHooks.full(trainables) : TrainableHooks.lora(lora, trainables, seed);
        TrainingGraph graph = TrainingGraph.build(config, base, hooks, objective);
        if (trainables.params().isEmpty()) {
            throw new rlif.models.BadInputException("trainable.lora.targets " + lora.targets()
                    + " match no linear layer of this model");
        }
        this.session = new TrainingSession(graph, compute.threads(), compute.device(), TrainingSession.Precision.FLOAT32,
                workDir.resolve("train-graph"));
        Path policyDir = workDir.resolve("policy");
        ModelDirectoryWriter.of(config, Decoders.build(config, base,
                        new DecoderOptions(DType.F32, true, hooks, LinearWeights.asStored())))
                .tokenizerFrom(baseDir)
                .provenance("role", "trainer policy: trainables are decoder inputs")
                .write(policyDir);
        // Without ORT's arena: it would keep the rollout's high-water mark (KV caches of a whole engine batch) through
        // the training phase, where the trainer hands freed memory back between phases (docs/training.md, "Memory").
        this.engine = RolloutEngines.open(ModelDirectory.open(policyDir, trainables.params().keySet()), EngineKind.AUTO,
                EngineOptions.defaults().withThreads(compute.threads()).withDevice(compute.device()).withArena(false),
                "auto");
        syncEngine();
    }

    public Trainables trainables() {
        return hooks.trainables();
    }

    public TrainingSession session() {
        return session;
    }

    public RolloutEngine engine() {
        return engine;
    }

    public DecoderConfig config() {
        return config;
    }

    /** Hands the current trainable values to the rollout engine (call after every optimiser update). */
    public void syncEngine() {
        // the level the engine and training session opened the shared environment at: asking for another
        // makes ONNX Runtime log a warning on every step
        OrtEnvironment env = OrtEnvironment.getEnvironment(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
        Map<String, OnnxTensor> fresh = new LinkedHashMap<>();
        try {
            for (var p : trainables().params().values()) {
                fresh.put(p.name(), OnnxTensor.createTensor(env, FloatBuffer.wrap(p.values()), p.shape()));
            }
        } catch (OrtException e) {
            fresh.values().forEach(OnnxTensor::close);
            throw new IllegalStateException(e);
        }
        engine.setConstantInputs(fresh);
        engineInputs.values().forEach(OnnxTensor::close);
        engineInputs = fresh;
    }

    /** The current weights as a plain Hugging Face weight source (LoRA merged in). */
    public WeightSource mergedWeights() {
        return isLora()
                ? MergedWeights.lora(config, base, trainables(), lora, hooks.adaptedModules())
                : MergedWeights.full(base, trainables());
    }

    /** Whether this is LoRA training (adapters can be exported in PEFT form). */
    public boolean isLora() {
        return trainables().params().keySet().stream().anyMatch(n -> n.endsWith(".lora_A"));
    }

    public LoraSpec lora() {
        return lora;
    }

    public java.util.Set<String> adaptedModules() {
        return hooks.adaptedModules();
    }

    /** Writes a merged model directory of the current policy (plus {@code extra} files) to {@code out}, atomically. */
    public void writeMerged(Path out, Map<String, byte[]> extra, Map<String, Object> provenance) {
        ModelDirectoryWriter w = ModelDirectoryWriter.of(config,
                Decoders.build(config, mergedWeights(), DecoderOptions.inference(DType.F32))).tokenizerFrom(baseDir);
        extra.forEach(w::file);
        provenance.forEach(w::provenance);
        w.write(out);
    }

    @Override
    public void close() {
        engine.close();
        engineInputs.values().forEach(OnnxTensor::close);
        session.close();
    }
}
