package rlif.trainer.export;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import rlif.models.BadInputException;
import rlif.models.arch.DecoderConfig;
import rlif.models.arch.DecoderOptions;
import rlif.models.arch.Decoders;
import rlif.models.arch.HfConfig;
import rlif.models.arch.ModelDirectoryWriter;
import rlif.models.arch.OnnxWeightSource;
import rlif.models.arch.WeightSource;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;
import rlif.trainer.params.MergedWeights;

/**
 * {@code rlif export} and {@code rlif mix}: model directories made from a base plus a PEFT adapter
 * ({@code W + (alpha / r) B A}, the adapter files kept beside the merged model), or from the weighted
 * mean {@code (1 - alpha) A + alpha B} of two checkpoints of one architecture.
 */
public final class Export {
    private Export() {}

    /** The formats {@code rlif export --format} writes. */
    public enum Format {
        /** this project's model directory (ONNX decoder), the default */
        ONNX,
        /** a Hugging Face folder for transformers */
        HF,
        /** one GGUF file for llama.cpp */
        GGUF
    }

    /**
     * Writes the model directory {@code model} (a training checkpoint is one), with {@code adapterDir}'s adapter merged
     * in when given, as {@code format}: a Hugging Face folder in {@code hfDtype}, or a GGUF file of {@code ggufType}.
     */
    public static void export(Path model, Path adapterDir, Format format, Path out, DType hfDtype,
            rlif.models.gguf.GgmlType ggufType, long maxShardBytes) {
        if (format == Format.ONNX) {
            if (adapterDir == null) {
                throw new BadInputException("--format onnx writes a merged model: give --adapter (or pick --format hf|gguf)");
            }
            mergeAdapter(model, adapterDir, out);
            return;
        }
        DecoderConfig config = HfConfig.read(requireFile(model, "config.json"));
        requireFile(model, "rlif.json");
        WeightSource weights = OnnxWeightSource.open(model);
        if (adapterDir != null) {
            weights = MergedWeights.lora(config, weights, readFor(weights, model, adapterDir).deltas());
        }
        if (format == Format.HF) {
            rlif.models.exporter.HfFolderWriter.write(config, weights, model, out, hfDtype, maxShardBytes);
        } else {
            rlif.models.exporter.GgufModelWriter.write(config, weights, model, out, ggufType);
        }
    }

    private static PeftAdapter.Loaded readFor(WeightSource weights, Path base, Path adapterDir) {
        PeftAdapter.Loaded adapter = PeftAdapter.read(adapterDir);
        for (String m : adapter.modules()) {
            if (!weights.has(m + ".weight")) {
                throw new BadInputException("--adapter " + adapterDir + " adapts " + m + ", which --model " + base + " does not have");
            }
        }
        return adapter;
    }

    /** Writes {@code base} with {@code adapterDir}'s adapter merged in, and a copy of the adapter, to {@code out}. */
    public static void mergeAdapter(Path base, Path adapterDir, Path out) {
        DecoderConfig config = HfConfig.read(requireFile(base, "config.json"));
        WeightSource weights = OnnxWeightSource.open(base);
        PeftAdapter.Loaded adapter = readFor(weights, base, adapterDir);
        WeightSource merged = MergedWeights.lora(config, weights, adapter.deltas());
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("adapter", adapterDir.toAbsolutePath().toString());
        record.put("lora_rank", adapter.config().rank());
        record.put("lora_alpha", adapter.config().alpha());
        record.put("use_rslora", adapter.config().rslora());
        record.put("use_dora", adapter.config().dora());
        record.put("modules", adapter.modules().size());
        ModelDirectoryWriter w = ModelDirectoryWriter.of(config, Decoders.build(config, merged, DecoderOptions.inference(DType.F32)))
                .tokenizerFrom(base).provenance("source", base.toAbsolutePath().toString()).provenance("merge", record);
        try {
            w.file(PeftAdapter.CONFIG, Files.readAllBytes(adapterDir.resolve(PeftAdapter.CONFIG)));
            w.file(PeftAdapter.WEIGHTS, Files.readAllBytes(adapterDir.resolve(PeftAdapter.WEIGHTS)));
        } catch (java.io.IOException e) {
            throw new BadInputException("--adapter " + adapterDir + ": cannot read the adapter files: " + e.getMessage(), e);
        }
        w.write(out);
    }

    /** Writes {@code theta = (1 - alpha) A + alpha B} (in double, stored as float32) to {@code out}. */
    public static void mix(Path a, Path b, double alpha, Path out) {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new BadInputException("--alpha must be in [0, 1], got " + alpha);
        }
        DecoderConfig ca = HfConfig.read(requireFile(a, "config.json"));
        DecoderConfig cb = HfConfig.read(requireFile(b, "config.json"));
        if (!ca.getClass().equals(cb.getClass()) || ca.vocabSize() != cb.vocabSize() || ca.hiddenSize() != cb.hiddenSize()
                || ca.numLayers() != cb.numLayers() || ca.numHeads() != cb.numHeads() || ca.numKvHeads() != cb.numKvHeads()) {
            throw new BadInputException("--model " + a + " and --with " + b + " are not the same architecture ("
                    + ca.modelType() + " " + ca.numLayers() + "x" + ca.hiddenSize() + " vs " + cb.modelType() + " "
                    + cb.numLayers() + "x" + cb.hiddenSize() + ")");
        }
        WeightSource wa = OnnxWeightSource.open(a);
        WeightSource wb = OnnxWeightSource.open(b);
        if (!wa.names().equals(wb.names())) {
            throw new BadInputException("--model " + a + " and --with " + b + " have different tensors");
        }
        Map<String, Tensor> mixed = new LinkedHashMap<>();
        for (String n : wa.names()) {
            Tensor ta = wa.get(n);
            Tensor tb = wb.get(n);
            if (!java.util.Arrays.equals(ta.shape(), tb.shape())) {
                throw new BadInputException("tensor " + n + " has shape " + java.util.Arrays.toString(ta.shape()) + " in "
                        + a + " but " + java.util.Arrays.toString(tb.shape()) + " in " + b);
            }
            float[] x = ta.toFloats();
            float[] y = tb.toFloats();
            float[] z = new float[x.length];
            for (int i = 0; i < z.length; i++) {
                z[i] = (float) ((1 - alpha) * x[i] + alpha * (double) y[i]);
            }
            mixed.put(n, Tensor.ofFloats(n, ta.shape(), z));
        }
        ModelDirectoryWriter.of(ca, Decoders.build(ca, WeightSource.of(mixed, "mix"), DecoderOptions.inference(DType.F32)))
                .tokenizerFrom(a)
                .provenance("mix", Map.of("model", a.toAbsolutePath().toString(), "with", b.toAbsolutePath().toString(),
                        "alpha", alpha))
                .write(out);
    }

    private static Path requireFile(Path dir, String name) {
        Path p = dir.resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new BadInputException("model directory " + dir + " has no " + name + " (rlif export/mix read this project's own"
                    + " model directories; convert others with rlif import)");
        }
        return p;
    }
}
