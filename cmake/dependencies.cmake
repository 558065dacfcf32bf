# Every third-party library comes from a Debian package listed in scripts/install-deps.sh.
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)            # sha256
find_package(SQLiteCpp REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(CLI11 REQUIRED)
find_package(spdlog REQUIRED)
find_package(OpenCV 4 REQUIRED COMPONENTS core imgcodecs imgproc videoio dnn ml)
find_package(Torch REQUIRED)
find_package(ONNX REQUIRED)
find_package(Protobuf REQUIRED)
find_package(PahoMqttCpp REQUIRED)
find_package(ZLIB REQUIRED)
find_package(GTest REQUIRED)
find_package(benchmark)

# XNNPACK and pthreadpool ship no CMake config in Debian.
find_library(XNNPACK_LIBRARY NAMES XNNPACK REQUIRED)
find_library(PTHREADPOOL_LIBRARY NAMES pthreadpool REQUIRED)
find_path(XNNPACK_INCLUDE_DIR xnnpack.h REQUIRED)
add_library(edgeloop_xnnpack INTERFACE)
target_link_libraries(edgeloop_xnnpack INTERFACE ${XNNPACK_LIBRARY} ${PTHREADPOOL_LIBRARY})
target_include_directories(edgeloop_xnnpack INTERFACE ${XNNPACK_INCLUDE_DIR})

# oneDNN (Debian libdnnl-dev 2.6, built on OpenMP): the onednn engines, x86's int8 fast path.
# OFF (the arm64 device image) leaves them out; XNNPACK serves alone.
option(EDGELOOP_WITH_ONEDNN "Build the onednn engines (libdnnl-dev)" ON)
# OpenMP's runtime library only (omp.h comes with the compiler): core/threads sets its thread
# count; no -fopenmp, so no file's compile flags change.
find_package(OpenMP REQUIRED COMPONENTS CXX)
add_library(edgeloop_openmp INTERFACE)
target_link_libraries(edgeloop_openmp INTERFACE ${OpenMP_CXX_LIBRARIES})
add_library(edgeloop_dnnl INTERFACE)
if(EDGELOOP_WITH_ONEDNN)
  find_library(DNNL_LIBRARY NAMES dnnl REQUIRED)
  find_path(DNNL_INCLUDE_DIR dnnl.hpp REQUIRED)
  target_link_libraries(edgeloop_dnnl INTERFACE ${DNNL_LIBRARY} edgeloop_openmp)
  target_include_directories(edgeloop_dnnl INTERFACE ${DNNL_INCLUDE_DIR})
endif()

# libwebp (OpenCV's own WebP decoder): the image probe asks it the question OpenCV asks before it
# picks its WebP decoder, so a RIFF file OpenCV would hand to another decoder is refused first.
find_library(WEBP_LIBRARY NAMES webp REQUIRED)
find_path(WEBP_INCLUDE_DIR webp/decode.h REQUIRED)
add_library(edgeloop_webp INTERFACE)
target_link_libraries(edgeloop_webp INTERFACE ${WEBP_LIBRARY})
target_include_directories(edgeloop_webp INTERFACE ${WEBP_INCLUDE_DIR})

# cpp-httplib: Debian ships its definitions compiled in libcpp-httplib.so, with no CMake config. The
# library was built with CPPHTTPLIB_OPENSSL/ZLIB/BROTLI_SUPPORT, which change the classes' layout, so
# every file that includes httplib.h must see the same definitions: its pkg-config file gives them.
# Without them httplib::Client's constructor in the library writes past the smaller object our code
# allocated (it overwrote the neighbouring ToolProcess's pid, and the quickstart's device outlived it).
find_package(PkgConfig REQUIRED)
pkg_check_modules(CPP_HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
add_library(edgeloop_httplib INTERFACE)
target_link_libraries(edgeloop_httplib INTERFACE PkgConfig::CPP_HTTPLIB OpenSSL::SSL OpenSSL::Crypto Threads::Threads)

# LibTorch as one interface target, so only libraries that ask for it see its headers.
add_library(edgeloop_torch INTERFACE)
target_link_libraries(edgeloop_torch INTERFACE ${TORCH_LIBRARIES})
target_include_directories(edgeloop_torch INTERFACE ${TORCH_INCLUDE_DIRS})

# ONNX protobuf and checker (see ../shared/facts.md: ONNX_NAMESPACE=onnx, ONNX_ML=1).
add_library(edgeloop_onnx INTERFACE)
target_link_libraries(edgeloop_onnx INTERFACE onnx onnx_proto protobuf::libprotobuf)
target_compile_definitions(edgeloop_onnx INTERFACE ONNX_NAMESPACE=onnx ONNX_ML=1)
