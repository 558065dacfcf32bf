#!/bin/sh
# device_links.sh EDGELOOP_EDGE: the device binary links no toolkit part. The libraries it links
# (objdump NEEDED) include no SQLite, LibTorch, ONNX or protobuf; nothing it loads (ldd, with
# every library's own dependencies) is LibTorch or ONNX; its own code holds no benchmark, ONNX
# Runtime peer, ONNX writer, quantizer, reference runner, registry or object store (nm).
# (SQLite and protobuf do load indirectly: OpenCV's imgcodecs needs GDAL, which needs SQLite, and
# OpenCV's dnn its own protobuf.) Prints what it found; exits 1 on any.
binary="$1"
status=0
needed=$(objdump -p "$binary" | awk '/NEEDED/ {print $2}') || { echo "objdump failed on $binary"; exit 1; }
for library in libsqlite3 libSQLiteCpp libtorch libc10 libonnx libprotobuf; do
  if echo "$needed" | grep -q "^$library"; then echo "$binary links $library"; status=1; fi
done
loaded=$(ldd "$binary") || { echo "ldd failed on $binary"; exit 1; }
for library in libtorch libc10 libonnx; do
  if echo "$loaded" | grep -q "$library"; then echo "$binary loads $library:"; echo "$loaded" | grep "$library"; status=1; fi
done
symbols=$(nm -C --defined-only "$binary") || { echo "nm failed on $binary"; exit 1; }
for symbol in 'edgeloop::run_benchmark' 'edgeloop::find_onnxruntime_peer' 'edgeloop::build_onnx_model' \
              'edgeloop::quantize_to_qdq' 'edgeloop::OnnxReferenceRunner' 'edgeloop::ReferenceEngine' \
              'edgeloop::Registry::open' 'edgeloop::ObjectStore'; do
  if echo "$symbols" | grep -q "$symbol"; then echo "$binary holds $symbol (toolkit code)"; status=1; fi
done
echo "$binary: $(stat -c %s "$binary") bytes, links $(echo "$needed" | wc -l) libraries, loads $(echo "$loaded" | wc -l)"
exit $status
