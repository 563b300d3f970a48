#!/usr/bin/env bash
# Builds the image from a static binary made on this host (the target
# x86_64-unknown-linux-musl, and musl-gcc for the crates that build C:
# `rustup target add x86_64-unknown-linux-musl`, Debian's musl-tools),
# with deploy/Containerfile.local: no base image is pulled.
#   deploy/build-local-image.sh                 # podman, tag cspo-pspo-bot:local
#   ENGINE=docker IMAGE=bot:test deploy/build-local-image.sh
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-unknown-linux-musl
engine=${ENGINE:-podman}
image=${IMAGE:-cspo-pspo-bot:local}

export CARGO_PROFILE_RELEASE_STRIP=symbols
cargo build --release --locked --target "$target"
bin=target/$target/release
"$bin/cspo-pspo-bot" check --knowledge knowledge

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
cp "$bin/cspo-pspo-bot" "$context/"
cp -r knowledge "$context/knowledge"
mkdir -m 0700 "$context/data"
# Podman and Buildah write OCI images by default, which have no HEALTHCHECK.
format=()
case "$(basename "$engine")" in podman | buildah) format=(--format docker) ;; esac
"$engine" build "${format[@]}" -f deploy/Containerfile.local -t "$image" "$context"
echo "built $image"
