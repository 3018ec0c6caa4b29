#!/usr/bin/env bash
# Installs every Debian package gemba needs; idempotent: skips what is present.
#   scripts/install-deps.sh          everything (trainer included)
#   scripts/install-deps.sh --edge   only what the engine/CLI/server build needs (no libtorch)
set -euo pipefail

edge_packages=(
  cmake g++ make ninja-build pkg-config
  nlohmann-json3-dev   # JSON: config.json, tokenizer.json, safetensors headers, HTTP bodies
  libcpp-httplib-dev   # HTTP server/client (header-only) for gemba serve and the judge client
  libcli11-dev         # command line parsing (header-only)
  libyaml-cpp-dev      # pipeline recipes
  libsentencepiece-dev sentencepiece  # tokenizer training + parity oracle in tests
  libutf8proc-dev      # Unicode NFKC normalization of manuals
  libsqlite3-dev       # the passage index: SQLite FTS5 (BM25, trigram tokenizer for Japanese)
  libpoppler-cpp-dev poppler-utils    # PDF text extraction (with word positions)
  libcmark-gfm-dev libcmark-gfm-extensions-dev  # Markdown manuals: CommonMark + GitHub tables
  libxml2-dev          # HTML manuals: libxml2's tolerant HTML parser
  libgtest-dev libgmock-dev libbenchmark-dev
)
train_packages=(
  libtorch-dev         # the trainer (Debian's libtorch 1.13, CPU)
  libopenblas0-openmp  # without it libtorch's matmuls fall back to the reference BLAS
  libgloo-dev          # c10d ProcessGroupGloo headers for data parallel
)

packages=("${edge_packages[@]}")
[[ "${1:-}" == "--edge" ]] || packages+=("${train_packages[@]}")

missing=()
# node/npm (the official openai client in the server e2e test) may come from a non-Debian
# package that already provides npm: only ask apt for it when the command is missing.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has empty package lists: update once, then install.
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
