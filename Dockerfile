# hex-mcp over Streamable HTTP, for teams that serve it to several clients (README "Container").
# Build stage: the same `cargo build --release --locked -p hex-mcp` that scripts/release runs.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p hex-mcp

# Run stage: distroless (glibc, CA certificates for rustls' platform verifier, no shell, no
# package manager), as its unprivileged `nonroot` user.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/hex-mcp /usr/local/bin/hex-mcp
USER 65532:65532
EXPOSE 8765
# No shell or curl in the image: the binary probes its own /healthz.
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
  CMD ["/usr/local/bin/hex-mcp", "health", "--addr", "127.0.0.1:8765"]
ENTRYPOINT ["/usr/local/bin/hex-mcp"]
# Listening beyond loopback needs inbound tokens: set HEX_MCP_HTTP_TOKEN (and HEX_API_KEY).
CMD ["run", "--transport", "http", "--bind", "0.0.0.0:8765"]
