# syntax=docker/dockerfile:1
#
# The bot as a static binary in an image of its own: nothing else in it, no
# shell, run as a user without privileges, with a read-only root file
# system. The knowledge is at /knowledge (mount yours over it, read-only),
# the JSON Lines logs in the volume /data, the secrets in files (see
# compose.yaml). Build and run:
#
#   docker build -t cspo-pspo-bot .
#   docker run --read-only -v cspo-pspo-bot-data:/data \
#     -v "$PWD/knowledge:/knowledge:ro" \
#     -v "$PWD/secrets/discord_token:/run/secrets/discord_token:ro" \
#     -e DISCORD_TOKEN_FILE=/run/secrets/discord_token cspo-pspo-bot
#
# The default command is the gateway bot (`run`); give another after the
# image name: `serve-http`, `check`, `gaps --since 7d`, `ask "..."`.

ARG RUST_VERSION=1.95

# --- builder: a static musl build ------------------------------------------
FROM rust:${RUST_VERSION}-alpine AS builder
# The C runtime's headers for crates that build C (ring). Not pinned: the
# rust image pins Alpine's release, and Alpine drops old package versions.
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev
WORKDIR /build
ENV CARGO_TERM_COLOR=never \
    CARGO_PROFILE_RELEASE_STRIP=symbols

# Dependencies first, in a layer of their own that only a change to
# Cargo.toml or Cargo.lock rebuilds: the manifest with empty sources. The
# benches are copied as they are, since the manifest names them (they are
# not built).
COPY Cargo.toml Cargo.lock ./
COPY benches benches
RUN mkdir src \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs \
    && cargo build --release --locked \
    && rm -r src

# The bot itself. The sources are touched so that cargo sees them as newer
# than the empty ones it built above, whatever times the copy kept.
COPY src src
COPY knowledge knowledge
RUN touch src/main.rs src/lib.rs \
    && cargo build --release --locked \
    && ./target/release/cspo-pspo-bot check --knowledge knowledge

# What the runtime stage takes: the binary, the knowledge, and an
# empty /data owned by the user the bot runs as (a named volume mounted
# there starts with that owner).
RUN mkdir -p /out/data \
    && cp target/release/cspo-pspo-bot /out/ \
    && cp -r knowledge /out/knowledge \
    && chown 65532:65532 /out/data \
    && chmod 0700 /out/data

# --- runtime: the binary and nothing else ----------------------------------
FROM scratch AS runtime
COPY --from=builder /out/cspo-pspo-bot /usr/local/bin/
COPY --from=builder /out/knowledge /knowledge
COPY --from=builder /out/data /data
# No /etc/passwd is needed: the user is a number, with no home and no shell.
USER 65532:65532
# `/` rather than /data, so no `.env` is looked for where the logs are.
WORKDIR /
ENV KNOWLEDGE_DIR=/knowledge \
    UNANSWERED_LOG=/data/unanswered.jsonl \
    FEEDBACK_LOG=/data/feedback.jsonl \
    METRICS_ADDR=127.0.0.1:9100 \
    LOG_FORMAT=json
VOLUME ["/data"]
# /healthz answers 200 once a shard is connected, 503 while none is. The
# probe reads METRICS_ADDR; for `serve-http`, give it the HTTP address:
#   cspo-pspo-bot healthcheck http://127.0.0.1:8080/healthz
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["/usr/local/bin/cspo-pspo-bot", "healthcheck"]
# SIGTERM stops the bot cleanly within a few seconds; SIGHUP rereads the
# knowledge (`docker kill -s HUP NAME`).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/cspo-pspo-bot"]
CMD ["run"]
