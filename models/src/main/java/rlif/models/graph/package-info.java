/**
 * A small ONNX graph library: {@link rlif.models.graph.GraphBuilder} records typed, shaped
 * {@link rlif.models.graph.Value}s and {@link rlif.models.graph.Node}s, checks shapes as ops are added, and
 * exports a {@code ModelProto} that ONNX Runtime runs.
 *
 * <pre>{@code
 * GraphBuilder g = new GraphBuilder("mlp");
 * Value x = g.input("x", DType.F32, Shape.parse("batch", 64));          // symbolic batch dim
 * Value w = g.initializer("w", Tensor.ofFloats("w", new long[] {64, 8}, data));
 * Value y = g.softmax(g.linear(x, w, null), -1);                         // Shape [batch, 8]
 * g.output("probs", y);
 * byte[] model = g.toModel().toByteArray();                              // inline: env.createSession(model, opts)
 * g.save(dir, "model.onnx");                                             // model.onnx + model.onnx.data
 * for (Node n : g.nodes()) { ... n.opType(), n.inputs(), n.outputs(), n.attributes() ... }  // autodiff walks these
 * }</pre>
 *
 * Shapes use {@link rlif.models.graph.Dim}: static sizes, products of symbols ({@code batch}, {@code 2*seq})
 * and opaque sums ({@code past_seq+seq}). Opset {@value rlif.models.graph.GraphBuilder#OPSET}, standard
 * domain only.
 */
package rlif.models.graph;
