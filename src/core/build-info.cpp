#include "core/build-info.h"

#include "build-commit.h"  // generated: cmake/build-commit.cmake

namespace gemba {

std::string build_id() { return std::string("0.1.0 (") + GEMBA_BUILD_COMMIT + ")"; }

}  // namespace gemba
