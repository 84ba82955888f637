package rlif.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rlif train} on bad input: exit 2, one {@code error:} line naming the config file and key (and the data
 * file and row where one is at fault), no stack trace, and nothing written to {@code --out}.
 */
class TrainCommandBadInputTest {
    static final Path BASE = Path.of("..", "models", "arith-base").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    private Path config(String grpoOrData) throws IOException {
        Path p = tmp.resolve("run.yaml");
        Files.writeString(p, """
                seed: 1
                objective: grpo
                model: %s
                eval: {limit: 2, max_new_tokens: 8}
                """.formatted(BASE) + grpoOrData.replace("max_steps: 1", "max_steps: 1, max_completion_length: 16"));
        return p;
    }

    private void assertBadInput(Path cfg, String... fragments) {
        Path out = tmp.resolve("out");
        CliRun run = CliRun.of("train", "--config", cfg.toString(), "--out", out.toString(), "--threads", "1");
        assertThat(run.code()).as(run.err()).isEqualTo(2);
        assertThat(run.errorLines()).as(run.err()).singleElement().asString().startsWith("error: " + cfg).contains(fragments);
        assertThat(run.err()).doesNotContain("\tat ");
        assertThat(out).as("nothing written").doesNotExist();
    }

    @Test
    void aDataFileWithoutGradableAnswersForAVerifiableRewardNamesTheFileRowAndKey() throws IOException {
        Path data = tmp.resolve("no-answers.jsonl");
        Files.writeString(data, "{\"question\": \"compute 1 + 2\", \"answer\": \"#### 3\"}\n"
                + "{\"question\": \"compute 2 + 2\"}\n{\"question\": \"compute 3 + 3\"}\n{\"question\": \"compute 4 + 4\"}\n"
                + "{\"question\": \"compute 5 + 5\"}\n{\"question\": \"compute 6 + 6\"}\n");
        assertBadInput(config("""
                data: {source: %s, eval_fraction: 0.5}
                grpo: {max_steps: 1, reward: {verifiable: 1.0}}
                """.formatted(data)), "grpo.reward.verifiable", "no-answers.jsonl:", "has no gradable answer");
    }

    @Test
    void anUnknownRewardIsNamed() throws IOException {
        assertBadInput(config("grpo: {max_steps: 1, reward: {certainty: 1.0}}\n"), "grpo.reward.certainty: unknown reward");
    }

    @Test
    void aMicroBatchLargerThanTheBatchIsNamed() throws IOException {
        assertBadInput(config("grpo: {max_steps: 1, prompts_per_step: 2, num_generations: 4,"
                + " per_device_train_batch_size: 16, reward: {self_certainty: 1.0}}\n"),
                "grpo.per_device_train_batch_size", "a micro-batch larger than the step's batch");
    }

    @Test
    void aChatFormatForAModelWithoutATemplateNamesTheKeyAndTheModelFile() throws IOException {
        Path model = tmp.resolve("no-template");
        Files.createDirectories(model);
        try (Stream<Path> files = Files.list(BASE)) {
            for (Path f : files.toList()) {
                Files.copy(f, model.resolve(f.getFileName()));
            }
        }
        Path tc = model.resolve("tokenizer_config.json");
        Files.writeString(tc, Files.readString(tc).replaceAll(",\\s*\"chat_template\"[^\\n]*", ""));
        Path cfg = config("""
                data: {source: "arith:level=1", prompt_format: chat}
                grpo: {max_steps: 1, reward: {self_certainty: 1.0}}
                """).toAbsolutePath();
        Files.writeString(cfg, Files.readString(cfg).replace(BASE.toString(), model.toString()));
        assertBadInput(cfg, "data.prompt_format: chat", tc.toString(), "has no chat_template");
    }

    @Test
    void aBadOverrideIsNamedAsTheSetKey() throws IOException {
        Path cfg = config("grpo: {max_steps: 1, reward: {self_certainty: 1.0}}\n");
        CliRun run = CliRun.of("train", "--config", cfg.toString(), "--set", "grpo.beta=lots", "--out",
                tmp.resolve("out").toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.errorLines()).singleElement().asString()
                .isEqualTo("error: " + cfg + ": --set grpo.beta: expected a number, got 'lots'");
    }

    @Test
    void cudaWithoutTheCudaProviderIsAClearError() throws IOException {
        Path cfg = config("grpo: {max_steps: 1, reward: {self_certainty: 1.0}}\n");
        Path out = tmp.resolve("out-cuda");
        CliRun run = CliRun.of("train", "--config", cfg.toString(), "--out", out.toString(), "--device", "cuda");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.errorLines()).singleElement().asString().startsWith("error: --device cuda: this ONNX Runtime has"
                + " no CUDA execution provider");
        assertThat(run.err()).doesNotContain("\tat ");
    }
}
