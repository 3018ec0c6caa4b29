// The libtorch verbs run in the sibling binary gemba-train (see src/CMakeLists.txt for why
// they cannot share a process with libsentencepiece). Here they are listed under `gemba`
// and handed over with every argument unchanged, --help included.
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <memory>

#include "cli/verb.h"
#include "core/blas-kernels.h"
#include "core/error.h"

namespace {

std::string sibling_binary(const std::string& name) {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return name;
  return (std::filesystem::path(std::string(buf, static_cast<size_t>(n))).parent_path() / name).string();
}

gemba::cli::VerbSetup forward_to_trainer(const std::string& verb) {
  return [verb](CLI::App& app) {
    app.set_help_flag();  // --help belongs to gemba-train's own parser
    app.prefix_command();
    app.allow_extras();
    CLI::App* self = &app;
    return [verb, self]() -> int {
      const std::string binary = sibling_binary("gemba-train");
      std::vector<std::string> args{binary, verb};
      for (const auto& a : self->remaining()) args.push_back(a);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      gemba::choose_openblas_kernels();  // before libtorch loads OpenBLAS in the new image
      ::execv(binary.c_str(), argv.data());
      gemba::fail("gemba ", verb, ": cannot run ", binary, " (", std::strerror(errno),
                  "); the trainer is built with -DGEMBA_TRAIN=ON (cmake --preset release)");
    };
  };
}

gemba::cli::VerbRegistration pretrain{"pretrain", "Pre-train a Llama model from scratch on token shards (libtorch)",
                                      forward_to_trainer("pretrain")};
gemba::cli::VerbRegistration cpt{"cpt", "Continual pre-training of an HF model on domain shards, with replay (libtorch)",
                                 forward_to_trainer("cpt")};
gemba::cli::VerbRegistration sft{"sft", "Supervised fine-tuning of an HF model on FAQ / chat JSONL (loss on answers only; libtorch)",
                                 forward_to_trainer("sft")};
gemba::cli::VerbRegistration dpo{"dpo", "Direct Preference Optimization of an SFT model on preference pairs (libtorch)",
                                 forward_to_trainer("dpo")};
gemba::cli::VerbRegistration export_registration{"export", "HF model directory -> GGUF (f32, f16, q8_0, q4_0) for the engine and llama.cpp",
                                         forward_to_trainer("export")};

}  // namespace
