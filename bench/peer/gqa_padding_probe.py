"""How ONNX Runtime's CPU GroupQueryAttention treats padded rows, against a float64 reference of masked attention.
Two rows (the second left-padded by 2) run a 5-token prefill, then single tokens; three ways of feeding the operator:

  genai     seqlens_k = sum(attention_mask) - 1, rotary inside (do_rotary=1): how ORT-GenAI's exports feed it
  pos+bias  seqlens_k = total - 1 for every row, rotary inside with position_ids, attention_bias = the additive mask
  rlif      seqlens_k = total - 1, attention_bias = the additive mask, rotary before the operator by RotaryEmbedding
            at position_ids (do_rotary=0): what rlif's int4/int8 imports write (models/.../arch/DecoderParts.java)

Prints each way's largest difference on real (non-padding) positions, per run. Used for docs/quantization.md:

    bench/peer/.venv/bin/python bench/peer/gqa_padding_probe.py
"""
import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto as TP
from onnx import helper as h
from onnx import numpy_helper as nh

B, N, KV, D = 2, 4, 2, 16  # ONNX Runtime's CPU kernel takes head sizes that are multiples of 16
H, HKV = N * D, KV * D
PROMPT, STEPS = 5, 3
LENGTHS = [5, 3]
INV = (1.0 / 10000 ** (np.arange(0, D, 2) / D)).astype(np.float32)


def rotate(x, pos):
    a = pos * INV.astype(np.float64)
    x1, x2 = x[..., : D // 2], x[..., D // 2:]
    return np.concatenate([x1 * np.cos(a) - x2 * np.sin(a), x2 * np.cos(a) + x1 * np.sin(a)], -1)


def session(way):
    vi = h.make_tensor_value_info
    ins = [vi("q", TP.FLOAT, ["B", "S", H]), vi("k", TP.FLOAT, ["B", "S", HKV]), vi("v", TP.FLOAT, ["B", "S", HKV]),
           vi("pk", TP.FLOAT, ["B", KV, "P", D]), vi("pv", TP.FLOAT, ["B", KV, "P", D]),
           vi("seqlens", TP.INT32, ["B"]), vi("total", TP.INT32, []), vi("pos", TP.INT64, ["B", "S"]),
           vi("bias", TP.FLOAT, ["B", 1, "S", "T"]), vi("grid", TP.INT64, ["T"])]
    nodes = [h.make_node("Cast", ["grid"], ["gridf"], to=TP.FLOAT),
             h.make_node("Unsqueeze", ["gridf", "axis1"], ["col"]),
             h.make_node("Mul", ["col", "inv"], ["angles"]),
             h.make_node("Cos", ["angles"], ["cos"]), h.make_node("Sin", ["angles"], ["sin"])]
    q, k = "q", "k"
    if way == "rlif":
        nodes += [h.make_node("RotaryEmbedding", ["q", "pos", "cos", "sin"], ["qr"], domain="com.microsoft",
                              num_heads=N, interleaved=0),
                  h.make_node("RotaryEmbedding", ["k", "pos", "cos", "sin"], ["kr"], domain="com.microsoft",
                              num_heads=KV, interleaved=0)]
        q, k = "qr", "kr"
    gqa_in = [q, k, "v", "pk", "pv", "seqlens", "total", "cos", "sin"] + ([] if way == "genai" else ["pos", "bias"])
    nodes.append(h.make_node("GroupQueryAttention", gqa_in, ["y", "ok", "ov"], domain="com.microsoft", num_heads=N,
                             kv_num_heads=KV, do_rotary=0 if way == "rlif" else 1, scale=float(1 / np.sqrt(D))))
    inits = [nh.from_array(np.array([1], np.int64), "axis1"), nh.from_array(INV, "inv")]
    outs = [vi(n, TP.FLOAT, None) for n in ("y", "ok", "ov")]
    g = h.make_graph(nodes, "probe", ins, outs, initializer=inits)
    m = h.make_model(g, opset_imports=[h.make_opsetid("", 17), h.make_opsetid("com.microsoft", 1)])
    m.ir_version = 9
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.log_severity_level = 3
    s = ort.InferenceSession(m.SerializeToString(), so, providers=["CPUExecutionProvider"])
    used = {i.name for i in s.get_inputs()}
    return s, used


def main():
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal((PROMPT + STEPS, H + 2 * HKV)).astype(np.float32) for _ in range(B)]
    pads = [PROMPT - n for n in LENGTHS]

    def reference(r, t):  # real token t of row r attends to real tokens 0..t
        q = rotate(xs[r][t, :H].reshape(N, D), t)
        ks = np.stack([rotate(xs[r][j, H:H + HKV].reshape(KV, D), j) for j in range(t + 1)])
        vs = xs[r][: t + 1, H + HKV:].reshape(-1, KV, D)
        out = []
        for head in range(N):
            kv = head // (N // KV)
            sc = ks[:, kv] @ q[head] / np.sqrt(D)
            p = np.exp(sc - sc.max())
            out.append((p / p.sum()) @ vs[:, kv])
        return np.concatenate(out)

    for way in ("genai", "pos+bias", "rlif"):
        s, used = session(way)
        pk = np.zeros((B, KV, 0, D), np.float32)
        pv = pk.copy()
        worst = []
        for run in range(STEPS + 1):
            S = PROMPT if run == 0 else 1
            P = pk.shape[2]
            T = P + S
            x = np.zeros((B, S, H + 2 * HKV), np.float32)
            pos = np.zeros((B, S), np.int64)
            for r in range(B):
                for j in range(S):
                    if P + j >= pads[r]:
                        x[r, j] = xs[r][P + j - pads[r]]
                        pos[r, j] = P + j - pads[r]
            real = np.arange(T)[None, :] >= np.array(pads)[:, None]
            causal = np.arange(T)[None, :] <= (P + np.arange(S))[:, None]
            bias = np.where(causal[None] & real[:, None, :], 0, -1e9).astype(np.float32)[:, None]
            seqlens = real.sum(1) - 1 if way == "genai" else np.full(B, T - 1)
            feed = {"q": x[..., :H].copy(), "k": x[..., H:H + HKV].copy(), "v": x[..., H + HKV:].copy(), "pk": pk,
                    "pv": pv, "seqlens": seqlens.astype(np.int32), "total": np.array(T, np.int32), "pos": pos,
                    "bias": bias, "grid": np.arange(T, dtype=np.int64)}
            y, pk, pv = s.run(None, {k: v for k, v in feed.items() if k in used})
            worst.append(max(np.abs(y[r, j] - reference(r, P + j - pads[r])).max()
                             for r in range(B) for j in range(S) if P + j >= pads[r]))
        print(f"{way:9s} largest difference on real positions, per run (prefill, then single tokens): "
              + " ".join(f"{w:.1e}" for w in worst))


if __name__ == "__main__":
    main()
