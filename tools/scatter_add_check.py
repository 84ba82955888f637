"""Cross-check of ONNX Runtime's CPU scatter-add, the operation behind the gradient of an embedding lookup (Gather):
N rows of updates are added into a [V, H] table at random row indices (many repeats), on 1 and 2 intra-op threads,
20 runs each, against numpy's np.add.at in float64. Prints, per operator and thread count, how many distinct results
the 20 runs gave and the largest absolute error.

    python3 -m venv tools/.venv && tools/.venv/bin/pip install onnxruntime==1.29.0 onnx numpy
    tools/.venv/bin/python tools/scatter_add_check.py [V H N]     # default: 970 96 8192, the word-level organism's
                                                                   # embedding and one demo step's token rows

Measured 2026-12-05 with onnxruntime 1.29.0 (the version rlif runs), 970 96 8192: ScatterND on 2 threads gave 2 to 11
distinct results of 20 (it varies with the load), errors up to 5.17 (lost updates: two threads adding to one row at
once); on 1 thread, and ScatterElements on either, one result, error 2.3e-6 (float32 rounding). The trainer's Gather
gradient therefore uses ScatterElements (trainer/.../autodiff/VjpRules.java, GatherGradientTest).
"""
import sys

import numpy as np
import onnxruntime as ort
from onnx import TensorProto, helper


def model(op, v, h, n):
    idx_shape = [n, 1] if op == "ScatterND" else [n, h]
    attrs = {"reduction": "add"} if op == "ScatterND" else {"axis": 0, "reduction": "add"}
    g = helper.make_graph(
        [helper.make_node(op, ["data", "idx", "upd"], ["out"], **attrs)], "scatter_add",
        [helper.make_tensor_value_info("data", TensorProto.FLOAT, [v, h]),
         helper.make_tensor_value_info("idx", TensorProto.INT64, idx_shape),
         helper.make_tensor_value_info("upd", TensorProto.FLOAT, [n, h])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [v, h])])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 18)], ir_version=9).SerializeToString()


def main():
    v, h, n = (int(a) for a in sys.argv[1:4]) if len(sys.argv) >= 4 else (970, 96, 8192)
    rng = np.random.default_rng(0)
    rows = rng.integers(0, v, size=n).astype(np.int64)
    upd = rng.standard_normal((n, h)).astype(np.float32)
    ref = np.zeros((v, h), np.float64)
    np.add.at(ref, rows, upd.astype(np.float64))
    print(f"onnxruntime {ort.__version__}, table {v} x {h}, {n} rows")
    for op in ("ScatterND", "ScatterElements"):
        idx = rows[:, None] if op == "ScatterND" else np.repeat(rows[:, None], h, 1)
        for threads in (1, 2):
            so = ort.SessionOptions()
            so.intra_op_num_threads = threads
            s = ort.InferenceSession(model(op, v, h, n), so, providers=["CPUExecutionProvider"])
            outs = [s.run(None, {"data": np.zeros((v, h), np.float32), "idx": idx, "upd": upd})[0]
                    for _ in range(20)]
            errs = [float(np.abs(o - ref).max()) for o in outs]
            print(f"{op:16s} threads={threads}: {len({o.tobytes() for o in outs}):2d} distinct results of 20, "
                  f"max |error| {max(errs):.3g}")


if __name__ == "__main__":
    main()
