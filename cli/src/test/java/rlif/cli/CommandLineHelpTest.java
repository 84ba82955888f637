package rlif.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a person sees when they mistype or ask for help: close matches, choices, whole sentences. */
class CommandLineHelpTest {
    @Test
    void aMistypedCommandGetsItsClosestMatch() {
        CliRun r = CliRun.of("scroe");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errorLines()).containsExactly("error: unknown command 'scroe' for rlif; did you mean score?");
        CliRun sub = CliRun.of("bench", "rolout");
        assertThat(sub.errorLines()).containsExactly("error: unknown command 'rolout' for rlif bench; did you mean rollout?");
    }

    @Test
    void aMistypedFlagGetsItsClosestMatch() {
        CliRun r = CliRun.of("score", "--model", "m", "--data", "d", "--out", "o", "--max-new-token", "5");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errorLines()).hasSize(1);
        assertThat(r.errorLines().getFirst()).startsWith("error: Unknown option").endsWith("did you mean --max-new-tokens?");
    }

    @Test
    void optionsWithAFixedSetOfValuesListThemInHelp() {
        String score = CliRun.of("score", "--help").out();
        assertThat(score).contains("--device=cpu|cuda", "--kernels=auto|scalar|vector|tornado", "--prompt-format=plain|chat",
                "--threads=N");
        String bench = CliRun.of("bench", "rollout", "--help").out();
        assertThat(bench).contains("--device=cpu|cuda", "--kernels=auto|scalar|vector|tornado");
        assertThat(CliRun.of("import", "--help").out()).contains("--from=safetensors|gguf|onnx", "--dtype=fp32|fp16");
    }

    @Test
    void theCommandListEndsEverySummaryWithItsSentence() {
        String help = CliRun.of("--help").out();
        String tail = help.substring(help.indexOf("  demo "));
        assertThat(tail.replaceAll("\\s+", " ").trim()).isEqualTo(
                "demo Run the paper's experiment on the bundled model organism (report.html, demo.json)."
                + " train-tokenizer Learn a byte-level BPE tokenizer from data sources (tokenizer.json, tokenizer_config.json)."
                + " reward-validity Measure each internal signal's validity as a reward on scored runs.");
    }
}
