// The quickstart's child device: ToolProcess ends the process it started, also when an HTTP client
// lives beside it (as in the loop's push stage), and cpp-httplib's classes have the layout Debian's
// compiled library gives them.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <string>
#include <thread>

#include "edgeloop/quickstart/tool_process.h"
#include "support/subprocess.h"

namespace edgeloop {
namespace {

// Waits (up to 5 s) until a process whose command line holds `text` shows in /proc: a child that
// has just been started may not show its arguments yet.
bool appears(const std::string& text) {
  for (int attempt = 0; attempt < 500; ++attempt) {
    if (testing::processes_with_argument(text) > 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(HttpLibrary, sees_the_definitions_debians_compiled_library_was_built_with) {
  // libcpp-httplib.so was compiled with these; without them httplib::Client is smaller here than in
  // the library, and its constructor overwrites whatever lies beside it on the stack.
#if !defined(CPPHTTPLIB_OPENSSL_SUPPORT) || !defined(CPPHTTPLIB_ZLIB_SUPPORT) || !defined(CPPHTTPLIB_BROTLI_SUPPORT)
  FAIL() << "httplib.h is included without the definitions in cpp-httplib.pc (link edgeloop_httplib)";
#endif
}

TEST(ToolProcess, stop_ends_the_child_it_started_with_an_http_client_beside_it) {
  const std::string marker = "3600.25";   // an argument no other process has
  {
    ToolProcess child("/bin/sleep", {marker});
    httplib::Client client("127.0.0.1", 9);
    client.set_connection_timeout(1);
    EXPECT_TRUE(child.running());
    ASSERT_TRUE(appears("sleep " + marker));
    EXPECT_EQ(child.stop(), -1);   // ended by SIGTERM
    EXPECT_FALSE(child.running());
  }
  EXPECT_EQ(testing::processes_with_argument("sleep " + marker), 0);
}

TEST(ToolProcess, the_destructor_ends_a_child_that_was_not_stopped) {
  const std::string marker = "3600.5";
  {
    ToolProcess child("/bin/sleep", {marker});
    ASSERT_TRUE(appears("sleep " + marker));
  }
  EXPECT_EQ(testing::processes_with_argument("sleep " + marker), 0);
}

}  // namespace
}  // namespace edgeloop
