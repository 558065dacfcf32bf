#!/usr/bin/python3
"""Writes a small ONNX graph of the ops OnnxReferenceRunner takes from PyTorch-exported and
hand-written files beyond what export/ writes (Constant, Clip with input bounds, HardSwish,
broadcast Add, dilated Conv, Reshape with 0 and -1, MatMul, Identity, Softmax), a seeded input and
the expected output computed independently with numpy, for onnx_reference_runner_test.cpp.

Usage: reference_ops_model.py OUT_DIR   (writes model.onnx, input.bin, expected.bin: float32 raw)
"""
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

out = sys.argv[1]
random = np.random.default_rng(5)
image = random.uniform(-4, 4, (2, 2, 5, 5)).astype(np.float32)
bias = random.uniform(-1, 1, (2, 1, 1)).astype(np.float32)
kernel = random.uniform(-1, 1, (3, 2, 2, 2)).astype(np.float32)
features = 3 * 5 * 5
matrix = random.uniform(-0.5, 0.5, (features, 4)).astype(np.float32)

nodes = [
    helper.make_node("Constant", [], ["low"], value=numpy_helper.from_array(np.array(-1.0, np.float32))),
    helper.make_node("Clip", ["input", "low", "high"], ["clipped"]),
    helper.make_node("HardSwish", ["clipped"], ["swished"]),
    helper.make_node("Add", ["swished", "bias"], ["shifted"]),
    helper.make_node("Conv", ["shifted", "kernel"], ["convolved"], kernel_shape=[2, 2], dilations=[2, 2],
                     pads=[1, 1, 1, 1]),
    helper.make_node("Reshape", ["convolved", "rows"], ["flat"]),
    helper.make_node("MatMul", ["flat", "matrix"], ["logits"]),
    helper.make_node("Identity", ["logits"], ["same"]),
    helper.make_node("Softmax", ["same"], ["probabilities"]),
]
initializers = [numpy_helper.from_array(np.array(1.5, np.float32), "high"), numpy_helper.from_array(bias, "bias"),
                numpy_helper.from_array(kernel, "kernel"), numpy_helper.from_array(np.array([0, -1], np.int64), "rows"),
                numpy_helper.from_array(matrix, "matrix")]
graph = helper.make_graph(nodes, "reference_ops", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [2, 2, 5, 5])],
                          [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [2, 4])], initializers)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
onnx.checker.check_model(model)
onnx.save(model, os.path.join(out, "model.onnx"))

x = np.clip(image, -1.0, 1.5)
x = x * np.clip(x / 6 + 0.5, 0, 1) + bias
padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
convolved = np.zeros((2, 3, 5, 5), np.float64)
for row in range(5):
    for column in range(5):
        window = padded[:, :, row:row + 3:2, column:column + 3:2]   # 2×2 taps, dilation 2
        convolved[:, :, row, column] = np.einsum("nchw,ochw->no", window, kernel)
logits = convolved.reshape(2, -1) @ matrix
probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
probabilities /= probabilities.sum(axis=1, keepdims=True)
image.tofile(os.path.join(out, "input.bin"))
probabilities.astype(np.float32).tofile(os.path.join(out, "expected.bin"))
