// What this gemba was built from, for `gemba --version` and the pipeline's run manifest (a
// stage output made by another build is pointed out when it is reused).
#pragma once
#include <string>

namespace gemba {

// "0.1.0 (a1b2c3d4e5)": the version and `git describe --always --dirty` of the source tree at
// build time ("unknown" when built outside a git checkout).
std::string build_id();

}  // namespace gemba
