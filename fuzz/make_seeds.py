#!/usr/bin/python3
"""Writes the seed corpus of every fuzz target under fuzz/corpus/<target>/: a few small valid
inputs each, so libFuzzer starts from the formats' real shapes. Run once; the files are committed.
   /usr/bin/python3 fuzz/make_seeds.py"""
import gzip, json, os, struct, zlib

import numpy
import onnx
from onnx import TensorProto, helper, numpy_helper

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    folder = os.path.join(root, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as out:
        out.write(data if isinstance(data, bytes) else data.encode())


def png(width, height, gray):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    color = 0 if gray else 2
    raw = b"".join(b"\0" + bytes((x * 37 + y * 11) % 256 for x in range(width * (1 if gray else 3))) for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, color, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def bmp(width, height):
    row = (width * 3 + 3) & ~3
    pixels = bytes((i * 7) % 256 for i in range(row * height))
    header = struct.pack("<2sIHHI", b"BM", 54 + len(pixels), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    return header + info + pixels


def tiff(width, height):
    pixels = bytes((i * 5) % 256 for i in range(width * height))
    entries = [(256, 3, 1, width), (257, 3, 1, height), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
               (273, 4, 1, 8 + 2 + 12 * 8 + 4), (278, 3, 1, height), (279, 4, 1, len(pixels))]
    ifd = struct.pack("<H", len(entries)) + b"".join(struct.pack("<HHII", *entry) for entry in entries) + b"\0\0\0\0"
    return b"II*\0" + struct.pack("<I", 8) + ifd + pixels


# image probe + decode
write("image_fuzz", "gray.png", png(4, 3, True))
write("image_fuzz", "rgb.png", png(3, 2, False))
write("image_fuzz", "rgb.bmp", bmp(3, 2))
write("image_fuzz", "gray.tif", tiff(4, 2))
write("image_fuzz", "tiny.jpg", bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912130f141d1a1f1e1d1a1c1c"
    "20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b080001000101011100ffc4001f00000105010101010101000000"
    "00000000000102030405060708090a0bffc400b5100002010303020403050504040000017d010203000411051221314106135161072271143281"
    "91a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768"
    "696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5"
    "d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008010100003f00fbd3ffd9"))

# IDX
images = struct.pack(">IIII", 0x803, 2, 3, 3) + bytes(range(18))
labels = struct.pack(">II", 0x801, 2) + b"\x01\x00"
write("idx_fuzz", "images.idx", images)
write("idx_fuzz", "labels.idx", labels)
write("idx_fuzz", "images.idx.gz", gzip.compress(images, mtime=0))

# CSV manifests
write("csv_manifest_fuzz", "plain.csv", "path,label\na.png,cat\nsub/b.png,dog\n")
write("csv_manifest_fuzz", "quoted.csv", 'path,label\n"with, comma.png","a ""quoted"" label"\n../escape.png,x\n')

# capture sidecars
write("capture_sidecar_fuzz", "labelled.json", json.dumps({"label": "cat", "confidence": 0.42, "reason": "low_confidence",
                                                           "frame": 17, "model_id": "m-0123456789ab"}))
write("capture_sidecar_fuzz", "nolabel.json", json.dumps({"reason": "random", "frame": 3}))

# bundle.json
write("bundle_json_fuzz", "bundle.json", json.dumps({
    "format_version": 1, "model_id": "m-0123456789ab", "arch": "cnn-s", "labels": ["a", "b"],
    "input": {"channels": 1, "height": 28, "width": 28},
    "preprocess": {"ops": [{"op": "decode", "color": "gray"}, {"op": "resize", "width": 28, "height": 28}, {"op": "to_float"}]},
    "files": {"model.onnx": {"sha256": "0" * 64, "bytes": 10}}, "lineage": {}, "reference_statistics": {},
    "manifest_sha256": "0" * 64}, indent=1))

# ONNX: a 1×1 conv + relu + global average pool + flatten
weight = numpy_helper.from_array(numpy.ones((2, 1, 1, 1), numpy.float32), "w")
bias = numpy_helper.from_array(numpy.zeros((2,), numpy.float32), "b")
graph = helper.make_graph(
    [helper.make_node("Conv", ["input", "w", "b"], ["c"], kernel_shape=[1, 1]), helper.make_node("Relu", ["c"], ["r"]),
     helper.make_node("GlobalAveragePool", ["r"], ["g"]), helper.make_node("Flatten", ["g"], ["output"])],
    "seed", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 1, 4, 4])],
    [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 2])], [weight, bias])
write("onnx_fuzz", "conv.onnx", helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]).SerializeToString())

# preprocessing specs
write("preprocess_spec_fuzz", "gray.yaml", "ops:\n  - op: decode\n    color: gray\n  - op: resize\n    width: 28\n    height: 28\n  - op: to_float\n")
write("preprocess_spec_fuzz", "rgb.json", json.dumps({"ops": [{"op": "decode", "color": "rgb"},
                                                              {"op": "resize", "width": 32, "height": 32, "mode": "letterbox"},
                                                              {"op": "to_float"}, {"op": "normalize", "mean": [0.5, 0.5, 0.5], "std": [0.2, 0.2, 0.2]}]}))

# edge YAML config
write("edge_config_fuzz", "edge.yaml", "drift:\n  window_frames: 200\n  psi_threshold: 0.2\nhealth:\n  expected_fps: 15\n"
      "capture:\n  directory: /tmp/captures\n  low_confidence_below: 0.5\nmqtt:\n  broker: tcp://127.0.0.1:1883\n  qos: 1\n"
      "anchors:\n  base: &base {a: 1}\n  copy: *base\n")

# HTTP / MQTT command bodies
write("command_body_fuzz", "config.json", json.dumps({"drift": {"psi_threshold": 0.3}, "health": {"expected_fps": 10}}))
write("command_body_fuzz", "twin.json", json.dumps({"drift_psi_threshold": 0.25, "capture_low_confidence_below": 0.4}))
