#!/usr/bin/python3
"""Writes the seed corpus of every fuzz target under fuzz/corpus/<target>/: a few small valid
inputs each, so libFuzzer starts from the formats' real shapes. Run once; the files are committed.
   /usr/bin/python3 fuzz/make_seeds.py   (Debian python3-onnx, python3-numpy)"""
import gzip, hashlib, json, os, struct, zlib

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


def tiff(width, height, claimed=None):
    """An uncompressed 8-bit gray TIFF of width × height pixels whose header says `claimed` (w, h)."""
    pixels = bytes((i * 5) % 256 for i in range(width * height))
    claimed_width, claimed_height = claimed or (width, height)
    size_type = 3 if max(claimed_width, claimed_height) <= 0xFFFF else 4
    entries = [(256, size_type, 1, claimed_width), (257, size_type, 1, claimed_height), (258, 3, 1, 8), (259, 3, 1, 1),
               (262, 3, 1, 1), (273, 4, 1, 8 + 2 + 12 * 8 + 4), (278, 3, 1, claimed_height), (279, 4, 1, len(pixels))]
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


def dicom(samples_per_pixel=None):
    """DICOM-looking files: Debian's OpenCV 4.6 hands "DICM" at offset 128 to GDCM, which aborts the
    process on the bare preamble (gdcmReader.cxx: assert(is.good())) and on a 4×4 image with
    SamplesPerPixel 0 (gdcmPixelFormat.h); the probe must refuse both before cv::imdecode."""
    head = bytes(128) + b"DICM"
    if samples_per_pixel is None:
        return head
    def element(group, number, vr, value):
        return struct.pack("<HH2sH", group, number, vr, len(value)) + value
    return (head + element(2, 0x10, b"UI", b"1.2.840.10008.1.2.1\0") +
            element(0x28, 2, b"US", struct.pack("<H", samples_per_pixel)) + element(0x28, 0x10, b"US", struct.pack("<H", 4)) +
            element(0x28, 0x11, b"US", struct.pack("<H", 4)) + element(0x28, 0x100, b"US", struct.pack("<H", 8)) +
            struct.pack("<HH2sHI", 0x7FE0, 0x10, b"OW", 0, 16) + b"\x5a" * 16)


write("image_fuzz", "dicom.dcm", dicom())
write("image_fuzz", "dicom-no-samples.dcm", dicom(samples_per_pixel=0))
write("image_fuzz", "oversize.tif", tiff(4, 2, claimed=(7000, 7000)))     # 49 MP declared in 118 bytes
write("image_fuzz", "over-cap.tif", tiff(4, 2, claimed=(100000, 100000)))  # over the pixel cap

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

# ONNX, shaped as export/onnx_writer.h writes models: input [batch, 1, 4, 4] → Conv 1×1 (2 channels,
# explicit kernel_shape) → Relu → GlobalAveragePool → Flatten = "embedding" [batch, 2] → Gemm
# (transB=1) → Softmax = "probabilities" [batch, 2]; opset 13.
weight = numpy_helper.from_array(numpy.linspace(0.5, 1.5, 2, dtype=numpy.float32).reshape(2, 1, 1, 1), "conv.weight")
bias = numpy_helper.from_array(numpy.array([0.1, -0.1], numpy.float32), "conv.bias")
fc_weight = numpy_helper.from_array(numpy.array([[1.0, -1.0], [-0.5, 0.5]], numpy.float32), "fc.weight")
fc_bias = numpy_helper.from_array(numpy.zeros((2,), numpy.float32), "fc.bias")
graph = helper.make_graph(
    [helper.make_node("Conv", ["input", "conv.weight", "conv.bias"], ["conv"], kernel_shape=[1, 1], name="conv"),
     helper.make_node("Relu", ["conv"], ["relu"], name="relu"),
     helper.make_node("GlobalAveragePool", ["relu"], ["pool"], name="pool"),
     helper.make_node("Flatten", ["pool"], ["embedding"], axis=1, name="flatten"),
     helper.make_node("Gemm", ["embedding", "fc.weight", "fc.bias"], ["logits"], transB=1, name="fc"),
     helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1, name="softmax")],
    "edgeloop", [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 1, 4, 4])],
    [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 2]),
     helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", 2])],
    [weight, bias, fc_weight, fc_bias])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
onnx.checker.check_model(model, full_check=True)
model_bytes = model.SerializeToString()
write("onnx_fuzz", "conv.onnx", model_bytes)

# bundle.json: the fields of a real export's manifest (a cnn bundle's, arrays cut to a few
# values), listing conv.onnx above as model.onnx; bundle_json_fuzz puts that file beside it and
# recomputes manifest_sha256.
def feature(name, low, high):
    edges = [low + (high - low) * i / 4 for i in range(5)]
    return {"name": name, "count": 4, "mean": (low + high) / 2, "stddev": (high - low) / 4, "min": low, "max": high,
            "bin_edges": edges, "bin_counts": [1, 1, 1, 1], "samples": [low, (low + high) / 2, high, low]}
bundle = {
    "format_version": 1, "model_id": "m-836c0fb84c28", "arch": "cnn", "created_at": "2026-12-02T11:32:00Z",
    "labels": ["T-shirt/top", "Trouser"],
    "input": {"name": "input", "layout": "NCHW", "dtype": "float32", "channels": 1, "height": 4, "width": 4},
    "outputs": ["probabilities", "embedding"],
    "preprocess": {"ops": [{"op": "decode", "color": "gray"},
                           {"op": "resize", "width": 4, "height": 4, "interpolation": "area", "mode": "stretch", "pad": 0.0},
                           {"op": "to_float", "scale": 0.00392156862745098}]},
    "preprocess_hash": "7e9b023706bcd99f20f857a0c4b012218c4c9afa55a22f1c58e5b784cb5722c4",
    "engine_ranking": {"cpu": "x86_64-vnni", "threads": 1,
                       "engines": [{"engine": "xnnpack", "file": "model.onnx", "p50_ms": 0.02},
                                   {"engine": "onednn", "file": "model.onnx", "p50_ms": 0.03}]},
    "files": {"model.onnx": {"bytes": len(model_bytes), "sha256": hashlib.sha256(model_bytes).hexdigest()}},
    "lineage": {"code_commit": "339211c384c7", "dataset": "fmnist", "dataset_version": "dbdf7273", "model_id": "m-836c0fb84c28",
                "run_id": "r-c7a8ff633762", "seed": 42},
    "metrics": {"val_accuracy": 0.88, "epochs": 1},
    "reference_statistics": {"computed_on": "train split of fmnist@2 (4 images)",
                             "embedding_projections": [[0.6, 0.8], [0.8, -0.6], [-0.6, 0.8], [1.0, 0.0]],
                             "features": [feature("brightness", 10.0, 164.0), feature("confidence", 0.5, 1.0)]},
    "manifest_sha256": "0" * 64}
write("bundle_json_fuzz", "bundle.json", json.dumps(bundle, indent=1, sort_keys=True))

# the bundle inbox: a push as `bundle push` sends it (bundle.json, then model.onnx in two chunks,
# a resumed chunk, a status read, the publish), and one with a wrong offset and a stray file.
manifest_text = json.dumps({"files": bundle["files"], "model_id": "m-836c0fb84c28"}).encode()
half = len(model_bytes) // 2
write("bundle_inbox_fuzz", "push.txt", b"put m-1 bundle.json 0\n" + manifest_text + b"\n--\nput m-1 model.onnx 0\n" +
      model_bytes[:half] + b"\n--\nput m-1 model.onnx =\n" + model_bytes[half:] + b"\n--\nstatus m-1 - -\n--\npublish m-1 m-0 -\n")
write("bundle_inbox_fuzz", "refused.txt", b"put m-2 bundle.json 0\n" + manifest_text + b"\n--\nput m-2 model.onnx 7\nxx\n--\n"
      b"put m-2 notes.txt 0\nhello\n--\nput ../m-2 bundle.json 0\n{}\n--\npublish m-2 - -\n")

# raw HTTP requests to the device's server
def request(method, target, body=b"", content_type="application/json"):
    head = f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    if body or method in ("PUT", "POST"):
        head += f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body
write("http_request_fuzz", "healthz.http", request("GET", "/healthz"))
write("http_request_fuzz", "config.http", request("PUT", "/v1/config", json.dumps({"drift": {"psi_threshold": 0.3}, "capture_low_confidence_below": 0.4}).encode()))
write("http_request_fuzz", "bundle_chunk.http", request("PUT", "/v1/bundles/m-1/bundle.json?offset=0", manifest_text))
write("http_request_fuzz", "bundle_status.http", request("GET", "/v1/bundles/m-1"))
write("http_request_fuzz", "model.http", request("POST", "/v1/model?wait=1", b'{"bundle_id": "m-1"}'))
write("http_request_fuzz", "predict.http", request("POST", "/v1/predict", png(4, 3, True), "image/png"))
write("http_request_fuzz", "predict_dicom.http", request("POST", "/v1/predict", dicom(), "application/dicom"))
write("http_request_fuzz", "chunked.http", b"PUT /v1/config HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      b"5\r\n{\"dri\r\n1a\r\nft\": {\"psi_threshold\": 0.2}}\r\n0\r\n\r\n")

# label CSV (`edgeloop label --from-csv`)
write("label_csv_fuzz", "labels.csv", "image,label\nframe-1.png,cat\n\n\"frame, 2.png\",\"dog\"\nframe-3.png,\n")

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
