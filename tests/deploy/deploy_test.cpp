// Pins the deployment files: the IoT Edge manifest validates against the schema written from
// Microsoft's docs, the Dockerfile's packages stay in step with scripts/install-deps.sh and never
// include LibTorch, and a bad flag writes nothing.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/deploy/compose_file.h"
#include "edgeloop/deploy/deploy_writer.h"
#include "edgeloop/deploy/deployment_manifest.h"
#include "edgeloop/deploy/dockerfile.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

namespace fs = std::filesystem;
using testing::run_shell;
using testing::shell_quote;
using testing::TempDir;

const fs::path kSourceDir = EDGELOOP_SOURCE_DIR;
const fs::path kSchema = kSourceDir / "tests/deploy/iot_edge_deployment.schema.json";
const fs::path kValidator = kSourceDir / "tests/deploy/validate_json_schema.py";

// A minimal bundle folder: what deploy reads (bundle.json) plus a model file to copy.
fs::path make_bundle(const TempDir& temp) {
  const fs::path bundle = temp / "bundle";
  fs::create_directories(bundle);
  write_file_atomically(bundle / "bundle.json", R"({"format_version": 1, "model_id": "m-test-1", "labels": ["a", "b"]})");
  write_file_atomically(bundle / "model.onnx", std::string("not really onnx, deploy only copies it"));
  return bundle;
}

DeployOptions options_for(const TempDir& temp) {
  DeployOptions options;
  options.bundle_directory = make_bundle(temp);
  options.out_directory = temp / "out";
  options.device = "line-3-camera";
  options.image = "registry.example.com/edgeloop-edge:1.0";
  return options;
}

testing::CommandOutput validate(const fs::path& instance) {
  return run_shell("python3 " + shell_quote(kValidator.string()) + " " + shell_quote(kSchema.string()) + " " +
                   shell_quote(instance.string()) + " 2>&1");
}

// The package names of scripts/install-deps.sh's `packages=( ... )` list.
std::set<std::string> install_deps_packages() {
  const std::string script = read_file(kSourceDir / "scripts/install-deps.sh");
  const auto start = script.find("packages=(");
  const auto end = script.find("\n)", start);
  std::set<std::string> packages;
  std::istringstream lines(script.substr(start + 10, end - start - 10));
  std::string line;
  while (std::getline(lines, line)) {
    line = line.substr(0, line.find('#'));
    std::istringstream words(line);
    std::string word;
    while (words >> word) packages.insert(word);
  }
  return packages;
}

// The packages of the Dockerfile's `apt-get install` step number `stage` (0 = build; then the amd64-only build step).
std::vector<std::string> dockerfile_stage_packages(const std::string& dockerfile, int stage) {
  size_t position = 0;
  for (int skipped = 0; skipped <= stage; ++skipped) {
    position = dockerfile.find("--no-install-recommends", position + 1);
  }
  const size_t end = dockerfile.find("&& rm -rf", position);
  std::istringstream words(dockerfile.substr(position, end - position));
  std::vector<std::string> packages;
  std::string word;
  while (words >> word) {
    if (word != "\\" && word != "--no-install-recommends") packages.push_back(word);
  }
  return packages;
}

TEST(DeploymentManifest, validates_against_the_iot_edge_schema) {
  TempDir temp;
  const DeployResult result = write_deployment(options_for(temp));
  const auto validation = validate(result.out_directory / "deployment.json");
  EXPECT_EQ(validation.exit_status, 0) << validation.output;
}

TEST(DeploymentManifest, schema_rejects_a_manifest_that_breaks_the_documented_format) {
  TempDir temp;
  Json manifest = build_deployment_manifest(options_for(temp), "m");
  auto& module = manifest["modulesContent"]["$edgeAgent"]["properties.desired"]["modules"]["edgeloop"];
  module["restartPolicy"] = "sometimes";                          // not one of the four policies
  manifest["modulesContent"]["$edgeHub"]["properties.desired"]["routes"]["bad"] = "FROM nowhere INTO $upstream";
  write_file_atomically(temp / "bad.json", manifest.dump());
  const auto validation = validate(temp / "bad.json");
  EXPECT_EQ(validation.exit_status, 1) << validation.output;
  EXPECT_NE(validation.output.find("sometimes"), std::string::npos) << validation.output;
  EXPECT_NE(validation.output.find("routes/bad"), std::string::npos) << validation.output;
}

TEST(DeploymentManifest, create_options_bind_the_camera_captures_volume_and_port) {
  TempDir temp;
  DeployOptions options = options_for(temp);
  options.camera = "/dev/video2";
  const Json manifest = build_deployment_manifest(options, "m");
  const Json& settings =
      manifest["modulesContent"]["$edgeAgent"]["properties.desired"]["modules"]["edgeloop"]["settings"];
  const Json create_options = Json::parse(settings["createOptions"].get<std::string>());
  EXPECT_EQ(create_options["HostConfig"]["Devices"][0]["PathOnHost"], "/dev/video2");
  EXPECT_EQ(create_options["HostConfig"]["Binds"][0], std::string(kCapturesVolume) + ":" + kContainerCapturesDir);
  EXPECT_EQ(create_options["HostConfig"]["PortBindings"]["8080/tcp"][0]["HostPort"], "8080");
  EXPECT_EQ(settings["image"], options.image);
}

TEST(DeploymentManifest, routes_every_module_output_upstream_and_twin_carries_thresholds) {
  TempDir temp;
  DeployOptions options = options_for(temp);
  options.thresholds.drift_score = 0.4;
  const Json manifest = build_deployment_manifest(options, "model-42");
  std::set<std::string> routed;
  for (const auto& [name, route] : manifest["modulesContent"]["$edgeHub"]["properties.desired"]["routes"].items()) {
    std::smatch match;
    const std::string text = route["route"];
    ASSERT_TRUE(std::regex_match(text, match, std::regex("FROM /messages/modules/edgeloop/outputs/(\\w+) INTO \\$upstream")))
        << text;
    routed.insert(match[1]);
  }
  EXPECT_EQ(routed, (std::set<std::string>{kOutputPredictions, kOutputDrift, kOutputCameraHealth}));
  const Json& twin = manifest["modulesContent"]["edgeloop"]["properties.desired"];
  EXPECT_DOUBLE_EQ(twin["drift_score"].get<double>(), 0.4);
  EXPECT_EQ(twin["model_id"], "model-42");
}

TEST(DeploymentManifest, long_create_options_are_split_into_512_character_chunks) {
  Json create_options{{"Labels", {{"note", std::string(1300, 'x')}}}};
  const Json settings = module_settings("r.io/a:1", create_options);
  ASSERT_TRUE(settings.contains("createOptions01"));
  ASSERT_TRUE(settings.contains("createOptions02"));
  EXPECT_FALSE(settings.contains("createOptions03"));
  const std::string joined = settings["createOptions"].get<std::string>() +
                             settings["createOptions01"].get<std::string>() +
                             settings["createOptions02"].get<std::string>();
  EXPECT_EQ(settings["createOptions"].get<std::string>().size(), kCreateOptionsChunk);
  EXPECT_EQ(Json::parse(joined), create_options);
  EXPECT_THROW(module_settings("r.io/a:1", Json{{"x", std::string(5000, 'y')}}), Error);
}

TEST(Dockerfile, build_packages_are_all_in_install_deps) {
  const std::set<std::string> known = install_deps_packages();
  ASSERT_GT(known.size(), 10u);
  TempDir temp;
  const std::string dockerfile = build_dockerfile(options_for(temp));
  for (const std::string& package : dockerfile_stage_packages(dockerfile, 0)) {
    EXPECT_TRUE(known.count(package)) << package << " is in the Dockerfile's build stage but not in scripts/install-deps.sh";
  }
}

TEST(Dockerfile, runtime_stage_is_multi_stage_slim_and_has_no_libtorch) {
  TempDir temp;
  const std::string dockerfile = build_dockerfile(options_for(temp));
  const auto runtime_from = dockerfile.rfind("\nFROM ");
  ASSERT_NE(runtime_from, dockerfile.find("\nFROM "));   // two stages
  EXPECT_NE(dockerfile.find("FROM debian:bookworm-slim AS build"), std::string::npos);
  const std::string runtime_stage = dockerfile.substr(runtime_from);
  EXPECT_NE(runtime_stage.find("FROM debian:bookworm-slim\n"), std::string::npos);
  EXPECT_EQ(runtime_stage.find("torch"), std::string::npos) << runtime_stage;
  EXPECT_EQ(runtime_stage.find("-dev"), std::string::npos) << runtime_stage;
  EXPECT_NE(runtime_stage.find("COPY --from=build /out/edgeloop-edge"), std::string::npos);
  EXPECT_NE(runtime_stage.find("COPY --from=bundle . /opt/edgeloop/bundle"), std::string::npos);
}

TEST(Dockerfile, onednn_is_built_for_amd64_only) {
  TempDir temp;
  const std::string dockerfile = build_dockerfile(options_for(temp));
  const std::string only_amd64 = "RUN if [ \"$TARGETARCH\" = \"amd64\" ]; then";
  const auto runtime_from = dockerfile.rfind("\nFROM ");
  const std::string build_stage = dockerfile.substr(0, runtime_from), runtime_stage = dockerfile.substr(runtime_from);
  EXPECT_NE(build_stage.find("ARG TARGETARCH\n"), std::string::npos) << build_stage;
  EXPECT_GT(build_stage.find("libdnnl-dev"), build_stage.find(only_amd64));
  EXPECT_NE(build_stage.find("-DEDGELOOP_WITH_ONEDNN=\"$(if [ \"$TARGETARCH\" = \"amd64\" ]; then echo ON; else echo OFF; fi)\""),
            std::string::npos)
      << build_stage;
  // The runtime stage names no library package: libdnnl arrives with the libraries the amd64 build collected.
  EXPECT_EQ(runtime_stage.find("libdnnl"), std::string::npos) << runtime_stage;
}

TEST(Dockerfile, runtime_stage_takes_the_libraries_the_build_stage_collected) {
  TempDir temp;
  const std::string dockerfile = build_dockerfile(options_for(temp));
  const auto runtime_from = dockerfile.rfind("\nFROM ");
  const std::string build_stage = dockerfile.substr(0, runtime_from), runtime_stage = dockerfile.substr(runtime_from);
  // The base image's package list is taken before the build stage installs anything.
  const auto base_list = build_stage.find("dpkg-query -W -f='${Package}\\n' > /base-packages.txt");
  ASSERT_NE(base_list, std::string::npos) << build_stage;
  EXPECT_LT(base_list, build_stage.find("apt-get install"));
  EXPECT_NE(build_stage.find("sh scripts/runtime-libraries.sh /out/edgeloop-edge /out/lib /base-packages.txt"),
            std::string::npos) << build_stage;
  EXPECT_NE(runtime_stage.find(std::string("COPY --from=build /out/lib/ ") + kContainerLibraryDir + "/"), std::string::npos);
  EXPECT_NE(runtime_stage.find(std::string("echo ") + kContainerLibraryDir + " > /etc/ld.so.conf.d/edgeloop.conf"),
            std::string::npos);
  EXPECT_LT(runtime_stage.find("ldconfig"), runtime_stage.find("ENTRYPOINT"));
  EXPECT_EQ(dockerfile_stage_packages(dockerfile, 2), image_runtime_packages());
}

TEST(Dockerfile, runtime_packages_are_real_bookworm_packages) {
  for (const std::string& package : image_runtime_packages()) {
    const auto status = run_shell("dpkg-query -W -f='${Status}' " + shell_quote(package) + " 2>/dev/null");
    EXPECT_NE(status.output.find("install ok installed"), std::string::npos)
        << package << " is not an installed Debian package here: check its bookworm name";
  }
}

// The libraries scripts/runtime-libraries.sh collects for the runtime stage, from the built
// binary against a base of glibc and the C++ runtime: every library the binary loads is either
// collected or the base's, and none is LibTorch or ONNX's.
TEST(Dockerfile, runtime_libraries_hold_every_library_edge_binary_loads_beyond_the_base) {
  const fs::path binary = fs::path(EDGELOOP_BINARY_DIR) / "src/edged/edgeloop-edge";
  if (!fs::exists(binary)) GTEST_SKIP() << binary << " is not built in this build folder";
  TempDir temp;
  write_file_atomically(temp / "base-packages.txt", std::string("libc6\nlibstdc++6\nlibgcc-s1\n"));
  const auto collected = run_shell("sh " + shell_quote((kSourceDir / "scripts/runtime-libraries.sh").string()) + " " +
                                   shell_quote(binary.string()) + " " + shell_quote((temp / "lib").string()) + " " +
                                   shell_quote((temp / "base-packages.txt").string()) + " 2>&1");
  ASSERT_EQ(collected.exit_status, 0) << collected.output;
  std::set<std::string> collected_packages;
  std::istringstream lines(collected.output);
  for (std::string soname, package, bytes; lines >> soname >> package >> bytes;) {
    EXPECT_EQ(fs::file_size(temp / "lib" / soname), std::stoull(bytes)) << soname;
    collected_packages.insert(package);
    // Transitively OpenCV brings protobuf (dnn) and SQLite (GDAL); LibTorch and ONNX's own library never.
    for (const char* toolkit_only : {"torch", "libonnx"}) {
      EXPECT_EQ(soname.find(toolkit_only), std::string::npos) << soname << " from " << package;
    }
  }
  EXPECT_TRUE(collected_packages.count("libopencv-core406")) << collected.output;
  EXPECT_FALSE(collected_packages.count("libc6")) << "a base package's library was collected";
  // The device's reference BLAS and LAPACK (not OpenBLAS) when this machine has them.
  if (fs::exists("/usr/lib/x86_64-linux-gnu/lapack/liblapack.so.3")) {
    EXPECT_TRUE(collected_packages.count("liblapack3")) << collected.output;
    EXPECT_FALSE(fs::exists(temp / "lib/libopenblas.so.0")) << collected.output;
  }
  // What the binary loads in the image, where the collected folder comes first on the loader's path.
  const auto loaded = run_shell("LD_LIBRARY_PATH=" + shell_quote((temp / "lib").string()) + " ldd " + shell_quote(binary.string()) +
                                " | awk '$2 == \"=>\" {print $1}'");
  std::istringstream sonames(loaded.output);
  for (std::string soname; sonames >> soname;) {
    if (fs::exists(temp / "lib" / soname)) continue;
    const auto owner = run_shell("dpkg -S '*/x86_64-linux-gnu/" + soname + "' 2>/dev/null | cut -d: -f1 | sort -u");
    EXPECT_TRUE(owner.output.find("libc6\n") != std::string::npos || owner.output.find("libstdc++6\n") != std::string::npos ||
                owner.output.find("libgcc-s1\n") != std::string::npos)
        << "edgeloop-edge loads " << soname << " (" << owner.output << "), which is neither collected nor the base's";
  }
}

TEST(Dockerfile, passes_dockerfile_utils_lint) {
  // dockerfile-utils (npm, the linter of the Dockerfile language server); installed by
  // scripts/install-deps.sh into tests/deploy/node_modules.
  const fs::path linter = kSourceDir / "tests/deploy/node_modules/.bin/dockerfile-utils";
  if (!fs::exists(linter)) GTEST_SKIP() << "run scripts/install-deps.sh to install " << linter;
  TempDir temp;
  const DeployResult result = write_deployment(options_for(temp));
  const auto lint = run_shell(shell_quote(linter.string()) + " lint " +
                              shell_quote((result.out_directory / "Dockerfile").string()) + " 2>&1");
  EXPECT_EQ(lint.exit_status, 0) << lint.output;
  EXPECT_EQ(lint.output.find("rror"), std::string::npos) << lint.output;
}

TEST(ComposeFile, has_the_module_and_a_mosquitto_broker) {
  TempDir temp;
  DeployOptions options = options_for(temp);
  options.mqtt = "mosquitto:1884";
  const Json compose = yaml_to_json(build_compose_file(options), "docker-compose.yml");
  EXPECT_EQ(compose["services"]["mosquitto"]["image"], kMosquittoImage);
  const Json& module = compose["services"]["edgeloop"];
  EXPECT_EQ(module["devices"][0], "/dev/video0:/dev/video0");
  EXPECT_EQ(module["environment"]["EDGELOOP_MQTT_BROKER"], "tcp://mosquitto:1884");
  EXPECT_EQ(module["depends_on"][0], "mosquitto");
  EXPECT_TRUE(compose["volumes"].contains(kCapturesVolume));
  EXPECT_EQ(module["environment"]["EDGELOOP_HTTP_BIND"], "0.0.0.0");
}

TEST(DeployWriter, copies_the_bundle_and_writes_every_file) {
  TempDir temp;
  const DeployResult result = write_deployment(options_for(temp));
  EXPECT_EQ(result.model_id, "m-test-1");
  for (const char* name : {"Dockerfile", "deployment.json", "docker-compose.yml", "mosquitto.conf", "README.txt",
                           "bundle/bundle.json", "bundle/model.onnx"}) {
    EXPECT_TRUE(fs::exists(result.out_directory / name)) << name;
  }
  EXPECT_EQ(read_file(result.out_directory / "bundle/model.onnx"), read_file(temp / "bundle/model.onnx"));
  // A port bound to 0.0.0.0 is never left open: a random token guards it.
  const Json manifest = Json::parse(read_file(result.out_directory / "deployment.json"));
  const std::string token =
      manifest["modulesContent"]["$edgeAgent"]["properties.desired"]["modules"]["edgeloop"]["env"]["EDGELOOP_HTTP_TOKEN"]["value"];
  EXPECT_EQ(token.size(), 32u);
}

TEST(DeployWriter, bad_flags_write_nothing_and_name_the_fix) {
  TempDir temp;
  DeployOptions options = options_for(temp);
  options.mqtt = "mosquitto";
  try {
    write_deployment(options);
    FAIL() << "a broker without a port was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(error.what()).find("HOST:PORT"), std::string::npos) << error.what();
  }
  options = options_for(temp);
  options.image = "edgeloop-edge";
  EXPECT_THROW(write_deployment(options), Error);
  options = options_for(temp);
  options.bundle_directory = temp / "missing";
  EXPECT_THROW(write_deployment(options), Error);
  EXPECT_FALSE(fs::exists(temp / "out"));
}

}  // namespace
}  // namespace edgeloop
