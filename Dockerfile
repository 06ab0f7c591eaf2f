# syntax=docker/dockerfile:1
# Production image: a release build of consultdesk on a slim Debian, running as a non-root user.
# It expects DATABASE_URL to point at a Postgres with PostGIS (see docker-compose.yml); the
# embedded Postgres is for local development and is not in this image.

FROM rust:1-bookworm AS builder
WORKDIR /app
# sqlx's compile-time macros must not try to reach a database during the image build.
ENV SQLX_OFFLINE=true
COPY . .
# The registry cache mount keeps downloaded crates between builds without bloating the layer.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    cargo build --release --locked

FROM debian:bookworm-slim
# ca-certificates: TLS to SMTP relays and other HTTPS endpoints.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin consultdesk \
    && mkdir -p /var/lib/consultdesk
COPY --from=builder /app/target/release/consultdesk /usr/local/bin/
# The working directory holds .consultdesk/ (a generated signing key when SIGNING_KEY is unset).
WORKDIR /var/lib/consultdesk
RUN chown consultdesk:consultdesk /var/lib/consultdesk
USER consultdesk
ENV BIND_ADDR=0.0.0.0:8080
EXPOSE 8080
CMD ["consultdesk", "serve"]
