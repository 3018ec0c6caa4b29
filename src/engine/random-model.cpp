#include "engine/random-model.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <vector>

#include "core/atomic-output.h"
#include "core/content-hash.h"
#include "core/splitmix64.h"
#include "core/error.h"
#include "core/json.h"
#include "core/log.h"
#include "core/thread-pool.h"
#include "engine/float-convert.h"
#include "engine/gguf-layout.h"
#include "engine/rope.h"
#include "engine/row-codec.h"
#include "engine/serving-defaults.h"
#include "format/safetensors.h"
#include "tokenizer/tokenizer.h"

namespace gemba::engine {

namespace {

uint64_t mix(uint64_t x) { return splitmix64_mix(x); }

uint64_t hash_name(const std::string& s) {
  // FNV-1a from this seed (not the standard offset basis) so existing seeds keep their weights.
  return fnv1a64(s, 1469598103934665603ull);
}

struct RandomTensor {
  std::string hf_name;
  int64_t rows, cols;  // a vector: rows = 1
  bool is_vector;
};

std::vector<RandomTensor> tensor_list(const format::ModelConfig& c) {
  const int64_t H = c.hidden_size, hd = c.head_dim();
  std::vector<RandomTensor> list;
  list.push_back({"model.embed_tokens.weight", c.vocab_size, H, false});
  for (int64_t l = 0; l < c.n_layers; ++l) {
    const std::string p = cat("model.layers.", l, ".");
    list.push_back({p + "input_layernorm.weight", 1, H, true});
    list.push_back({p + "self_attn.q_proj.weight", c.n_heads * hd, H, false});
    list.push_back({p + "self_attn.k_proj.weight", c.n_kv_heads * hd, H, false});
    list.push_back({p + "self_attn.v_proj.weight", c.n_kv_heads * hd, H, false});
    list.push_back({p + "self_attn.o_proj.weight", H, c.n_heads * hd, false});
    list.push_back({p + "post_attention_layernorm.weight", 1, H, true});
    list.push_back({p + "mlp.gate_proj.weight", c.ffn_size, H, false});
    list.push_back({p + "mlp.up_proj.weight", c.ffn_size, H, false});
    list.push_back({p + "mlp.down_proj.weight", H, c.ffn_size, false});
  }
  list.push_back({"model.norm.weight", 1, H, true});
  if (!c.tie_embeddings) list.push_back({"lm_head.weight", c.vocab_size, H, false});
  return list;
}

// Row `row` (HF numbering) of a tensor: uniform values with the given std (vectors: 1 ± 0.1).
void random_row(uint64_t seed, const RandomTensor& t, int64_t row, float std_dev, float* dst) {
  uint64_t state = mix(seed ^ hash_name(t.hf_name)) ^ mix(static_cast<uint64_t>(row) + 0x51ed270b1ull);
  const double half_width = t.is_vector ? 0.1 * std::sqrt(3.0) : std_dev * std::sqrt(3.0);
  for (int64_t i = 0; i < t.cols; ++i) {
    state = mix(state);
    const double u = static_cast<double>(state >> 11) * 0x1.0p-53 * 2.0 - 1.0;  // [-1, 1)
    dst[i] = static_cast<float>((t.is_vector ? 1.0 : 0.0) + u * half_width);
  }
}

format::DType safetensors_dtype(format::GgmlType type, const std::string& out) {
  switch (type) {
    case format::GgmlType::F32: return format::DType::F32;
    case format::GgmlType::F16: return format::DType::F16;
    case format::GgmlType::BF16: return format::DType::BF16;
    default: fail(out, ": an HF directory stores f32, f16 or bf16 weights, not ", format::ggml_type_name(type),
                  "; write a .gguf file for quantized types");
  }
}

const char* torch_dtype_name(format::GgmlType type) {
  switch (type) {
    case format::GgmlType::F16: return "float16";
    case format::GgmlType::BF16: return "bfloat16";
    default: return "float32";
  }
}

tokenizer::Tokenizer load_tokenizer(const RandomModelOptions& options, const std::string& out_path) {
  if (!options.tokenizer_path.empty()) return tokenizer::Tokenizer::load(options.tokenizer_path);
  const std::string tmp = out_path + ".byte-tokenizer.json.tmp";
  write_file_atomic(tmp, byte_level_tokenizer_json());
  try {
    auto tok = tokenizer::Tokenizer::from_hf_json_file(tmp);
    std::filesystem::remove(tmp);
    return tok;
  } catch (...) {
    std::filesystem::remove(tmp);
    throw;
  }
}

}  // namespace

std::string byte_level_tokenizer_json() {
  Json vocab = Json::array();
  Json added = Json::array();
  const char* specials[] = {"<unk>", "<s>", "</s>", "<pad>"};
  for (int i = 0; i < 4; ++i) {
    vocab.push_back(Json::array({specials[i], 0.0}));
    added.push_back({{"id", i}, {"content", specials[i]}, {"special", true}, {"normalized", false},
                     {"lstrip", false}, {"rstrip", false}, {"single_word", false}});
  }
  for (int b = 0; b < 256; ++b) {
    char piece[8];
    std::snprintf(piece, sizeof piece, "<0x%02X>", b);
    vocab.push_back(Json::array({piece, 0.0}));
  }
  vocab.push_back(Json::array({"\u2581", -1.0}));
  Json j;
  j["version"] = "1.0";
  j["added_tokens"] = added;
  j["normalizer"] = {{"type", "Sequence"},
                     {"normalizers",
                      Json::array({{{"type", "Prepend"}, {"prepend", "\u2581"}},
                                   {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "\u2581"}}})}};
  j["pre_tokenizer"] = nullptr;
  j["model"] = {{"type", "Unigram"}, {"unk_id", 0}, {"vocab", vocab}, {"byte_fallback", true}};
  return j.dump(1);
}

void write_random_model(const format::ModelConfig& config_in, const std::string& out_path, const RandomModelOptions& options) {
  format::ModelConfig config = config_in;
  config.validate("model init");
  require_writable_type(options.type, out_path);
  const tokenizer::Tokenizer tok = load_tokenizer(options, out_path);
  if (static_cast<int64_t>(tok.vocab_size()) > config.vocab_size)
    fail(options.tokenizer_path.empty() ? std::string("the byte-level tokenizer") : options.tokenizer_path, " has ",
         tok.vocab_size(), " tokens but the model's vocabulary has only ", config.vocab_size, " rows");
  config.bos_id = tok.bos_id();
  config.eos_id = tok.eos_id();
  config.pad_id = tok.pad_id();
  const auto tensors = tensor_list(config);
  ThreadPool pool(options.n_threads > 0 ? options.n_threads : ThreadPool::hardware_threads());
  const uint64_t seed = options.seed;
  const float std_dev = options.init_std;
  const int64_t hd = config.head_dim();

  const bool gguf = out_path.size() >= 5 && out_path.compare(out_path.size() - 5, 5, ".gguf") == 0;
  if (gguf) {
    format::GgufWriter writer;
    config.to_gguf(writer);
    writer.set_string("general.name", cat("random-", config.hidden_size, "x", config.n_layers, "-seed", seed));
    writer.set_u32("general.file_type", gguf_file_type(options.type));
    tok.to_gguf(writer, config.vocab_size);
    write_serving_metadata(writer, chat_template_choice(tokenizer::ChatTemplate::kGembaPlain));
    for (const auto& t : tensors) {
      const std::string name = gguf_name_for_hf(t.hf_name);
      const format::GgmlType type = gguf_storage_type(name, t.is_vector ? 1 : 2, static_cast<uint64_t>(t.cols), options.type);
      const uint64_t row_bytes = format::ggml_row_bytes(type, static_cast<uint64_t>(t.cols));
      const RopePermute permute = rope_permute_for_gguf(name);
      std::vector<uint64_t> dims = {static_cast<uint64_t>(t.cols)};
      if (!t.is_vector) dims.push_back(static_cast<uint64_t>(t.rows));
      writer.add_tensor(name, dims, type, row_bytes * static_cast<uint64_t>(t.rows), [&, t, type, row_bytes, permute](uint8_t* dst) {
        pool.parallel_for(static_cast<size_t>(t.rows), [&](size_t b, size_t e, int) {
          std::vector<float> row(static_cast<size_t>(t.cols));
          for (size_t r = b; r < e; ++r) {
            const int64_t from = permute == RopePermute::kNone ? static_cast<int64_t>(r) : rope_gguf_source_row(static_cast<int64_t>(r), hd);
            random_row(seed, t, from, std_dev, row.data());
            encode_row(type, row.data(), dst + r * row_bytes, t.cols);
          }
        });
      });
    }
    writer.write(out_path);
  } else {
    const format::DType dtype = safetensors_dtype(options.type, out_path);
    config.torch_dtype = torch_dtype_name(options.type);
    AtomicDir dir(out_path);
    format::SafetensorsWriter writer;
    writer.set_metadata("format", "pt");
    for (const auto& t : tensors) {
      std::vector<int64_t> shape = t.is_vector ? std::vector<int64_t>{t.cols} : std::vector<int64_t>{t.rows, t.cols};
      const size_t row_bytes = static_cast<size_t>(t.cols) * format::dtype_bytes(dtype);
      writer.add(t.hf_name, dtype, shape, [&, t, row_bytes](uint8_t* dst) {
        pool.parallel_for(static_cast<size_t>(t.rows), [&](size_t b, size_t e, int) {
          std::vector<float> row(static_cast<size_t>(t.cols));
          for (size_t r = b; r < e; ++r) {
            random_row(seed, t, static_cast<int64_t>(r), std_dev, row.data());
            encode_row(options.type, row.data(), dst + r * row_bytes, t.cols);
          }
        });
      });
    }
    writer.write(dir.file("model.safetensors"));
    write_json_file(dir.file("config.json"), config.to_hf_json());
    write_json_file(dir.file("generation_config.json"), generation_config_json(config));
    if (options.tokenizer_path.empty())
      write_file_atomic(dir.file("tokenizer.json"), byte_level_tokenizer_json());
    else
      tok.write_hf_json(dir.file("tokenizer.json"));
    dir.commit();
  }
  log_info("wrote random model ", out_path, " (", config.n_params(), " parameters, ", format::ggml_type_name(options.type),
           ", seed ", seed, ")");
}

}  // namespace gemba::engine
