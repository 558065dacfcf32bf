#!/usr/bin/python3
"""Writes small ONNX models of every ladder family with PyTorch's exporter, for the engine tests
and benchmarks, until (and beside) export/'s own writer. Each file has input "input"
[N, C, H, W] float (dynamic batch) and outputs "probabilities" and "embedding", opset 13.
With --int8 it also writes <family>.int8.onnx: QDQ with per-channel int8 weights (axis 0) and
per-tensor int8 activations calibrated on seeded random images (see quantize_qdq below).

Usage: make_test_models.py --out DIR [--channels 1] [--size 28] [--classes 10]
                           [--families cnn-s,mobilenet] [--int8] [--seed 7]
"""
import argparse
import os

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import helper, numpy_helper, TensorProto

OPSET = 13
CALIBRATION_IMAGES = 32


class Classifier(nn.Module):
    """features → embedding (penultimate) → logits; forward returns (probabilities, embedding)."""

    def __init__(self, features, embedding_head, classifier):
        super().__init__()
        self.features = features
        self.embedding_head = embedding_head
        self.classifier = classifier

    def forward(self, x):
        embedding = self.embedding_head(self.features(x))
        return F.softmax(self.classifier(embedding), dim=1), embedding


def conv_bn_act(cin, cout, kernel=3, stride=1, groups=1, act="relu"):
    layers = [nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]
    if act == "relu":
        layers.append(nn.ReLU())
    elif act == "relu6":
        layers.append(nn.ReLU6())
    elif act == "hardswish":
        layers.append(nn.Hardswish())
    return nn.Sequential(*layers)


class InvertedResidual(nn.Module):
    def __init__(self, channels, expand, act):
        super().__init__()
        hidden = channels * expand
        self.body = nn.Sequential(conv_bn_act(channels, hidden, 1, act=act),
                                  conv_bn_act(hidden, hidden, 3, groups=hidden, act=act),
                                  conv_bn_act(hidden, channels, 1, act=None))

    def forward(self, x):
        return x + self.body(x)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = conv_bn_act(cin, cout, 3, stride)
        self.conv2 = conv_bn_act(cout, cout, 3, 1, act=None)
        self.shortcut = nn.Identity() if stride == 1 and cin == cout else conv_bn_act(cin, cout, 1, stride, act=None)

    def forward(self, x):
        return F.relu(self.conv2(self.conv1(x)) + self.shortcut(x))


def build(family, channels, size, classes):
    flat = channels * size * size
    if family == "linear":
        return Classifier(nn.Flatten(), nn.Identity(), nn.Linear(flat, classes))
    if family == "mlp":
        return Classifier(nn.Flatten(), nn.Sequential(nn.Linear(flat, 128), nn.ReLU()), nn.Linear(128, classes))
    if family in ("cnn-s", "cnn-m", "cnn-l"):
        widths = {"cnn-s": [16, 32], "cnn-m": [32, 64, 64], "cnn-l": [64, 128, 128, 256]}[family]
        layers, cin, side = [], channels, size
        for width in widths:
            layers += [conv_bn_act(cin, width), nn.MaxPool2d(2)]
            cin, side = width, side // 2
        if family == "cnn-s":
            head = nn.Sequential(nn.Flatten(), nn.Linear(cin * side * side, 64), nn.ReLU())
            return Classifier(nn.Sequential(*layers), head, nn.Linear(64, classes))
        layers.append(nn.AvgPool2d(2) if side >= 2 else nn.Identity())
        head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, 128), nn.ReLU())
        return Classifier(nn.Sequential(*layers), head, nn.Linear(128, classes))
    if family == "mobilenet":
        features = nn.Sequential(conv_bn_act(channels, 16, 3, 2, act="hardswish"),
                                 InvertedResidual(16, 4, "relu6"), conv_bn_act(16, 24, 3, 2, act="relu6"),
                                 InvertedResidual(24, 6, "relu6"), InvertedResidual(24, 6, "hardswish"))
        return Classifier(features, nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten()), nn.Linear(24, classes))
    if family == "resnet":
        features = nn.Sequential(conv_bn_act(channels, 16, 3), BasicBlock(16, 16, 1), BasicBlock(16, 32, 2),
                                 BasicBlock(32, 64, 2))
        return Classifier(features, nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten()), nn.Linear(64, classes))
    raise SystemExit(f"unknown family {family}")


def randomize_batch_norm(model, generator):
    """Trained-looking batch-norm statistics, so folding them is exercised."""
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            count = module.num_features
            module.running_mean.copy_(torch.randn(count, generator=generator) * 0.1)
            module.running_var.copy_(torch.rand(count, generator=generator) + 0.5)
            module.weight.data.copy_(torch.rand(count, generator=generator) + 0.5)
            module.bias.data.copy_(torch.randn(count, generator=generator) * 0.1)


LOGIT_SPREAD = 3.0   # standard deviation of the logits after sharpening


def sharpen_classifier(model, example):
    """Scales the classifier so that the logits spread like a trained model's (untrained ones give
    near-uniform probabilities, which would make engine comparisons too easy)."""
    with torch.no_grad():
        logits = model.classifier(model.embedding_head(model.features(example)))
        factor = LOGIT_SPREAD / max(float(logits.std()), 1e-6)
        model.classifier.weight.mul_(factor)
        model.classifier.bias.mul_(factor)


# ---- int8 QDQ ---------------------------------------------------------------------------------

def initializer_tensors(graph):
    """The graph's initializers as torch tensors, by name."""
    return {init.name: torch.from_numpy(numpy_helper.to_array(init).copy()) for init in graph.initializer}


def evaluate(graph, inputs, constants=None):
    """Every tensor of an fp32 ONNX graph on `inputs` (a tiny interpreter on torch functional ops).
    `constants` (initializer_tensors(graph)) saves converting the weights again on every call."""
    values = dict(constants if constants is not None else initializer_tensors(graph))
    values.update(inputs)
    for node in graph.node:
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        x = [values[name] if name else None for name in node.input]
        op = node.op_type
        if op == "Constant":
            out = torch.from_numpy(numpy_helper.to_array(attrs["value"]).copy())
        elif op == "Conv":
            pads = attrs.get("pads", [0, 0, 0, 0])
            out = F.conv2d(x[0], x[1], x[2] if len(x) > 2 else None, attrs.get("strides", [1, 1]),
                           pads[:2], attrs.get("dilations", [1, 1]), attrs.get("group", 1))
        elif op == "Relu":
            out = F.relu(x[0])
        elif op == "Clip":
            out = torch.clamp(x[0], float(x[1]), float(x[2]))
        elif op == "HardSigmoid":
            out = torch.clamp(x[0] * attrs.get("alpha", 0.2) + attrs.get("beta", 0.5), 0, 1)
        elif op == "HardSwish":
            out = F.hardswish(x[0])
        elif op == "Mul":
            out = x[0] * x[1]
        elif op == "Add":
            out = x[0] + x[1]
        elif op == "MaxPool":
            out = F.max_pool2d(x[0], attrs["kernel_shape"], attrs.get("strides", 1), attrs.get("pads", [0, 0])[:2])
        elif op == "AveragePool":
            out = F.avg_pool2d(x[0], attrs["kernel_shape"], attrs.get("strides", 1), attrs.get("pads", [0, 0])[:2])
        elif op == "GlobalAveragePool":
            out = x[0].mean(dim=(2, 3), keepdim=True)
        elif op == "Flatten":
            out = torch.flatten(x[0], attrs.get("axis", 1))
        elif op == "Reshape":
            out = x[0].reshape([int(v) if int(v) != 0 else x[0].shape[i] for i, v in enumerate(x[1])])
        elif op == "Gemm":
            weight = x[1].t() if attrs.get("transB", 0) else x[1]
            out = x[0] @ weight + (x[2] if len(x) > 2 else 0)
        elif op == "MatMul":
            out = x[0] @ x[1]
        elif op == "Softmax":
            out = F.softmax(x[0], dim=attrs.get("axis", -1))
        elif op == "Pad":
            pads = [int(v) for v in x[1]]
            half = len(pads) // 2
            torch_pads = []
            for axis in reversed(range(half)):
                torch_pads += [pads[axis], pads[axis + half]]
            out = F.pad(x[0], torch_pads, value=float(x[2]) if len(x) > 2 and x[2] is not None else 0.0)
        elif op == "Identity":
            out = x[0]
        else:
            raise SystemExit(f"evaluate: op {op} not handled")
        values[node.output[0]] = out
    return values


def quantize_qdq(model, calibration):
    """Per-channel int8 weights of Conv/Gemm/MatMul, per-tensor int8 activations on every tensor
    that feeds a compute node, in the QDQ form ONNX Runtime writes (opset 13)."""
    graph = model.graph
    values = evaluate(graph, {graph.input[0].name: calibration})
    initializers = {init.name: init for init in graph.initializer}
    new_nodes, new_inits, quantized = [], [], {}

    parameters = {}

    def activation_qdq(name, like=None):
        if name in quantized:
            return quantized[name]
        if like is not None:
            source = like[:-len("_dequantized")] if like.endswith("_dequantized") else like
            scale, zero_point = parameters[source]
        else:
            tensor = values[name]
            low, high = min(float(tensor.min()), 0.0), max(float(tensor.max()), 0.0)
            scale = max((high - low) / 255.0, 1e-8)
            zero_point = max(-128, min(127, int(round(-128 - low / scale))))
        parameters[name] = (scale, zero_point)
        new_inits.append(numpy_helper.from_array(np.array(scale, np.float32), name + "_scale"))
        new_inits.append(numpy_helper.from_array(np.array(zero_point, np.int8), name + "_zero_point"))
        new_nodes.append(helper.make_node("QuantizeLinear", [name, name + "_scale", name + "_zero_point"],
                                          [name + "_quantized"]))
        new_nodes.append(helper.make_node("DequantizeLinear", [name + "_quantized", name + "_scale",
                                                               name + "_zero_point"], [name + "_dequantized"]))
        quantized[name] = name + "_dequantized"
        return quantized[name]

    def weight_qdq(name, axis):
        weight = numpy_helper.to_array(initializers[name]).astype(np.float32)
        moved = np.moveaxis(weight, axis, 0).reshape(weight.shape[axis], -1)
        scale = np.maximum(np.abs(moved).max(axis=1) / 127.0, 1e-8).astype(np.float32)
        shape = [1] * weight.ndim
        shape[axis] = -1
        q = np.clip(np.round(weight / scale.reshape(shape)), -127, 127).astype(np.int8)
        new_inits.append(numpy_helper.from_array(q, name + "_quantized"))
        new_inits.append(numpy_helper.from_array(scale, name + "_scale"))
        new_inits.append(numpy_helper.from_array(np.zeros_like(scale, np.int8), name + "_zero_point"))
        new_nodes.append(helper.make_node("DequantizeLinear", [name + "_quantized", name + "_scale",
                                                               name + "_zero_point"], [name + "_dequantized"],
                                          axis=axis))
        return name + "_dequantized"

    compute_ops = {"Conv", "Gemm", "MatMul", "Add", "MaxPool", "GlobalAveragePool", "AveragePool"}
    output_names = {o.name for o in graph.output}
    consumers = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    rewritten = list(graph.node)
    for node in rewritten:
        if node.op_type not in compute_ops:
            continue
        inputs = list(node.input)
        for i, name in enumerate(inputs):
            if name in initializers and node.op_type in ("Conv", "Gemm", "MatMul") and i == 1:
                transposed = node.op_type == "Gemm" and any(a.name == "transB" and a.i for a in node.attribute)
                axis = 0 if node.op_type == "Conv" or transposed else 1
                inputs[i] = weight_qdq(name, axis)
            elif name and name not in initializers:
                inputs[i] = activation_qdq(name)
        del node.input[:]
        node.input.extend(inputs)
    # Outputs: a compute node followed only by Relu/Clip is quantized after the activation (the
    # fused form); MaxPool keeps its input's quantization, as ONNX Runtime's quantizer does.
    for node in rewritten:
        out = node.output[0]
        if out in output_names or out in quantized:
            continue
        followers = consumers.get(out, [])
        if node.op_type in compute_ops and len(followers) == 1 and followers[0].op_type in ("Relu", "Clip"):
            continue
        if node.op_type == "MaxPool":
            activation_qdq(out, like=node.input[0])
        elif node.op_type in compute_ops or node.op_type in ("Relu", "Clip"):
            activation_qdq(out)
    # Non-compute consumers of a quantized activation read its dequantized copy.
    for node in rewritten:
        if node.op_type in compute_ops:
            continue
        for i, name in enumerate(node.input):
            if name in quantized:
                node.input[i] = quantized[name]
    ordered = []
    produced = {graph.input[0].name} | set(initializers) | {i.name for i in new_inits}
    pending = rewritten + new_nodes
    while pending:
        progress = False
        for node in list(pending):
            if all((not name) or name in produced for name in node.input):
                ordered.append(node)
                produced.update(node.output)
                pending.remove(node)
                progress = True
        if not progress:
            raise SystemExit("quantize_qdq: graph has a cycle")
    del graph.node[:]
    graph.node.extend(ordered)
    still_used = {name for node in ordered for name in node.input}
    kept = [init for init in graph.initializer if init.name in still_used]
    del graph.initializer[:]
    graph.initializer.extend(kept + new_inits)
    return model


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--channels", type=int, default=1)
    parser.add_argument("--size", type=int, default=28)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--families", default="linear,mlp,cnn-s,cnn-m,cnn-l,mobilenet,resnet")
    parser.add_argument("--int8", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for family in args.families.split(","):
        generator = torch.Generator().manual_seed(args.seed)
        torch.manual_seed(args.seed)
        model = build(family, args.channels, args.size, args.classes)
        randomize_batch_norm(model, generator)
        model.eval()
        sharpen_classifier(model, torch.rand(16, args.channels, args.size, args.size, generator=generator))
        example = torch.rand(1, args.channels, args.size, args.size, generator=generator)
        path = os.path.join(args.out, family + ".onnx")
        torch.onnx.export(model, example, path, opset_version=OPSET, input_names=["input"],
                          output_names=["probabilities", "embedding"],
                          dynamic_axes={"input": {0: "batch"}, "probabilities": {0: "batch"},
                                        "embedding": {0: "batch"}})
        if args.int8:
            calibration = torch.rand(CALIBRATION_IMAGES, args.channels, args.size, args.size, generator=generator)
            quantized = quantize_qdq(onnx.load(path), calibration)
            onnx.checker.check_model(quantized)
            onnx.save(quantized, os.path.join(args.out, family + ".int8.onnx"))
        print(path)


if __name__ == "__main__":
    main()
