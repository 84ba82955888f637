/**
 * Decoder architectures built on {@link rlif.models.graph.GraphBuilder}: the llama family (Llama 2/3,
 * Mistral, SmolLM, Qwen2, Qwen3) and GPT-2, configured from a Hugging Face {@code config.json}
 * ({@link rlif.models.arch.HfConfig}) and fed Hugging Face-named weights through a
 * {@link rlif.models.arch.WeightSource}.
 *
 * <pre>{@code
 * DecoderConfig cfg = HfConfig.read(src.resolve("config.json"));
 * GraphBuilder g = Decoders.build(cfg, weights, DecoderOptions.inference(DType.F16));
 * ModelDirectoryWriter.of(cfg, g).tokenizerFrom(src).provenance("source", src.toString()).write(out);
 * }</pre>
 */
package rlif.models.arch;
