package rlif.models.dir;

/** Which on-disk convention a model directory follows (docs/rollout-engine.md). */
public enum ModelLayout {
    /** {@code genai_config.json} names the decoder and its inputs and outputs. */
    ORT_GENAI("ort-genai"),
    /** Hugging Face Optimum / transformers.js: {@code config.json} + {@code model.onnx}. */
    OPTIMUM("optimum"),
    /** This project's own output: the Optimum layout plus {@code genai_config.json} and {@code rlif.json}. */
    RLIF("rlif");

    private final String label;

    ModelLayout(String label) {
        this.label = label;
    }

    /** The name {@code rlif info} prints. */
    public String label() {
        return label;
    }
}
