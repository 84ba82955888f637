"""Builds by hand the two int4 layout variants docs/quantization.md ("Fused attention") timed and did not adopt, from
an rlif int4 import (with GroupQueryAttention), for bench/peer/decode_step_ab.py:

  packed  q, k and v of each layer as one MatMulNBits (their blocks concatenated along the output axis) and a Split,
          as ONNX Runtime GenAI's builder writes them
  gbq     the embedding as com.microsoft.GatherBlockQuantized on the tied head's 4-bit blocks instead of the float32
          table (which is dropped), as ONNX Runtime GenAI's builder writes it

    bench/peer/.venv/bin/python bench/peer/layout_variants.py packed /tmp/smollm2-int4 /tmp/smollm2-int4-packed
    bench/peer/.venv/bin/python bench/peer/layout_variants.py gbq /tmp/smollm2-int4 /tmp/smollm2-int4-gbq

The results are for timing only: neither variant is a model directory rlif writes or reads back for training.
"""
import argparse
import os
import shutil

import numpy as np
import onnx
from onnx import helper as h
from onnx import numpy_helper as nh

PROJ = ("q_proj", "k_proj", "v_proj")


def attr(node, name):
    return next(a.i for a in node.attribute if a.name == name)


def packed(m):
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    by_input = {}
    for n in g.node:
        if n.op_type == "MatMulNBits" and any(p in n.input[1] for p in PROJ):
            by_input.setdefault(n.input[0], []).append(n)
    replace = {}
    for x, ns in by_input.items():
        ns.sort(key=lambda n: next(i for i, p in enumerate(PROJ) if p in n.input[1]))
        base = ns[0].input[1].replace("q_proj", "qkv_proj")
        names = [base + s for s in ("", "_scales", "_zero_points")][: len(ns[0].input) - 1]
        for j, name in enumerate(names):
            g.initializer.append(nh.from_array(np.concatenate([nh.to_array(inits[n.input[j + 1]]) for n in ns]), name))
        outs = [attr(n, "N") for n in ns]
        g.initializer.append(nh.from_array(np.array(outs, np.int64), base + "_split"))
        mm = h.make_node("MatMulNBits", [x] + names, [base + "_out"], domain="com.microsoft", K=attr(ns[0], "K"),
                         N=sum(outs), bits=attr(ns[0], "bits"), block_size=attr(ns[0], "block_size"),
                         accuracy_level=attr(ns[0], "accuracy_level"))
        split = h.make_node("Split", [base + "_out", base + "_split"], [n.output[0] for n in ns], axis=-1)
        replace[ns[0].name] = [mm, split]
        for n in ns[1:]:
            replace[n.name] = []
    nodes = [k for n in g.node for k in replace.get(n.name, [n])]
    del g.node[:]
    g.node.extend(nodes)


def gbq(m):
    g = m.graph
    table = "model.embed_tokens.weight"
    inits = {i.name: i for i in g.initializer}
    codes = inits[table + ".q4"]
    rows, blocks, width = codes.dims
    for i, n in enumerate(g.node):
        if n.op_type == "Gather" and n.input[0] == table:
            reshape = h.make_node("Reshape", [codes.name, "gbq_shape"], ["gbq_data"])
            inputs = ["gbq_data", n.input[1], table + ".scales"]
            if table + ".zero_points" in inits:
                inputs.append(table + ".zero_points")
            gather = h.make_node("GatherBlockQuantized", inputs, [n.output[0]], domain="com.microsoft", bits=4,
                                 block_size=width * 2, gather_axis=0, quantize_axis=1)
            g.node.remove(n)
            g.node.insert(i, gather)
            g.node.insert(i, reshape)
            break
    else:
        raise SystemExit(f"error: no Gather of {table} (a tied 4-bit head is needed)")
    g.initializer.append(nh.from_array(np.array([rows, blocks * width], np.int64), "gbq_shape"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("variant", choices=["packed", "gbq"])
    ap.add_argument("source")
    ap.add_argument("out")
    a = ap.parse_args()
    m = onnx.load(os.path.join(a.source, "model.onnx"))
    (packed if a.variant == "packed" else gbq)(m)
    used = {i for n in m.graph.node for i in n.input}
    keep = [t for t in m.graph.initializer if t.name in used]
    del m.graph.initializer[:]
    m.graph.initializer.extend(keep)
    os.makedirs(a.out, exist_ok=True)
    onnx.save(m, os.path.join(a.out, "model.onnx"), save_as_external_data=True, location="model.onnx.data")
    for f in os.listdir(a.source):
        if not f.startswith("model.onnx"):
            shutil.copy(os.path.join(a.source, f), a.out)


if __name__ == "__main__":
    main()
