#pragma once
// The commit this edgeloop was built from, recorded with every run and stored model so that a
// result can be traced to the code that made it. Regenerated on every build (see CMakeLists.txt).

#include <string>

namespace edgeloop {

// The short git commit ("unknown" when built outside git).
std::string code_commit();

}  // namespace edgeloop
