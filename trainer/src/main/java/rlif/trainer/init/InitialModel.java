package rlif.trainer.init;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import rlif.models.BadInputException;
import rlif.models.arch.DecoderConfig;
import rlif.models.arch.DecoderOptions;
import rlif.models.arch.Decoders;
import rlif.models.arch.HfConfig;
import rlif.models.arch.ModelDirectoryWriter;
import rlif.models.arch.WeightSource;
import rlif.models.io.AtomicFiles;
import rlif.models.tensor.DType;
import rlif.models.tokenizer.CharTokenizerFiles;
import rlif.models.tokenizer.ModelTokenizer;
import rlif.trainer.config.TrainConfig;

/**
 * Writes the model a run starts from when its config gives {@code init:} instead of {@code model:}: a
 * {@link RandomLlama} of the configured size with the built-in character tokenizer or a given
 * {@code tokenizer.json}, as a model directory of this project's layout that {@code rlif score} reads too.
 */
public final class InitialModel {
    private InitialModel() {}

    /**
     * Writes the model to {@code dir} (scratch files under {@code work}) and returns {@code dir}.
     *
     * @param where how errors name the config ({@code FILE: })
     */
    public static Path write(TrainConfig.ModelInit init, long seed, Path dir, Path work, String where) {
        String tokenizerJson;
        String tokenizerConfig = null;
        Integer bos;
        List<Integer> eos;
        Integer padId;
        int vocab;
        if (init.tokenizer().getFileName().toString().equals("char")) {
            // The models module's tokenizer: its post-processor prepends <bos>, so `rlif score` and the trainer
            // (which encode plain prompts with special tokens) feed these models <bos> first.
            Path tokDir = work.resolve("char-tokenizer");
            CharTokenizerFiles.write(tokDir);
            try {
                tokenizerJson = Files.readString(tokDir.resolve("tokenizer.json"));
                tokenizerConfig = Files.readString(tokDir.resolve("tokenizer_config.json"));
            } catch (IOException ex) {
                throw new UncheckedIOException("cannot read back " + tokDir, ex);
            }
            vocab = CharTokenizerFiles.vocabSize();
            bos = CharTokenizerFiles.BOS_ID;
            eos = List.of(CharTokenizerFiles.EOS_ID);
            padId = CharTokenizerFiles.PAD_ID;
        } else {
            try {
                tokenizerJson = Files.readString(init.tokenizer());
            } catch (IOException ex) {
                throw new BadInputException(where + "init.tokenizer: cannot read " + init.tokenizer());
            }
            // the tokenizer's tokenizer_config.json (special tokens, chat template) travels with it when it is there
            Path beside = init.tokenizer().resolveSibling("tokenizer_config.json");
            if (Files.isRegularFile(beside)) {
                try {
                    tokenizerConfig = Files.readString(beside);
                } catch (IOException ex) {
                    throw new BadInputException(where + "init.tokenizer: cannot read " + beside);
                }
            }
            Path tmp = work.resolve("tokenizer.json");
            AtomicFiles.writeString(tmp, tokenizerJson);
            try (ModelTokenizer t = ModelTokenizer.open(tmp)) {
                vocab = t.vocabSize();
                bos = t.tokenToId("<s>").isPresent() ? t.tokenToId("<s>").getAsInt() : null;
                eos = t.tokenToId("</s>").isPresent() ? List.of(t.tokenToId("</s>").getAsInt()) : List.of();
                padId = t.tokenToId("<pad>").isPresent() ? t.tokenToId("<pad>").getAsInt() : null;
            }
        }
        RandomLlama.Spec spec = new RandomLlama.Spec(vocab, init.hiddenSize(), init.intermediateSize(), init.numLayers(),
                init.numHeads(), init.numKvHeads(), init.maxPositions(), init.ropeTheta(), init.initStd(), bos, eos, padId);
        DecoderConfig config = HfConfig.parse(RandomLlama.configJson(spec), "init");
        WeightSource weights = WeightSource.of(RandomLlama.weights(spec, seed), "random init");
        ModelDirectoryWriter w = ModelDirectoryWriter.of(config, Decoders.build(config, weights, DecoderOptions.inference(DType.F32)))
                .file("tokenizer.json", tokenizerJson.getBytes(StandardCharsets.UTF_8))
                .provenance("source", "random init, seed " + seed);
        if (tokenizerConfig != null) {
            w.file("tokenizer_config.json", tokenizerConfig.getBytes(StandardCharsets.UTF_8));
        }
        w.write(dir);
        return dir;
    }
}
