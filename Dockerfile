# iotcop container image: see docs/DOCKER.md.
#
#   docker build -t iotcop .
#   docker run --rm --network host -v "$PWD/config:/config:ro" -v iotcop-data:/data \
#     iotcop scan --config /config/targets.yaml --format json,html --out /data/reports
#
# LAN scanning needs the host's network: `--network host` (a bridged container sees only its own
# bridge). Raw-socket scanning (SYN scan, MAC addresses) additionally needs `--cap-add NET_RAW` and
# root inside the container (`--user 0`); as the default non-root user iotcop uses a TCP connect
# scan, which finds the same open TCP ports. Configuration: flags, or /config/targets.yaml, or the
# environment (IOTCOP_DB, XDG_DATA_HOME; see docs/DOCKER.md). History and reports live in /data.
#
# The base is named fully qualified so that Docker, Podman and Buildah resolve it the same way
# (CI builds a stand-in for it offline: ci/docker-smoke).
ARG NODE_IMAGE=docker.io/library/node:20-bookworm-slim

# ---- build: compile TypeScript and the native SQLite binding, then drop dev dependencies ----
FROM ${NODE_IMAGE} AS build
# better-sqlite3 is compiled from source (python3, make, g++) against the headers that ship next to
# node (nodedir): no prebuilt binary or header tarball is downloaded, so the build needs only the
# npm registry and Debian's mirror.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
ENV npm_config_build_from_source=true \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
# Behind a TLS-intercepting proxy, pass its CA as a build secret (not stored in any layer):
#   docker build --secret id=ca,src=/path/to/ca.crt .
RUN --mount=type=secret,id=ca,required=false \
    if [ -s /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca npm_config_cafile=/run/secrets/ca; fi \
 && npm_config_nodedir="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")" npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev \
 && rm -rf node_modules/better-sqlite3/build/Release/obj node_modules/better-sqlite3/build/Release/obj.target \
           node_modules/better-sqlite3/deps node_modules/better-sqlite3/src

# ---- runtime: node, nmap, the built app; no compiler, no dev dependencies ----
FROM ${NODE_IMAGE}
LABEL org.opencontainers.image.title="iotcop" \
      org.opencontainers.image.description="Checks IoT devices against the UK Code of Practice for Consumer IoT Security (ETSI EN 303 645, UK PSTI)" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN apt-get update \
 && apt-get install -y --no-install-recommends nmap ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 iotcop \
 && useradd --system --uid 10001 --gid iotcop --home-dir /data --no-create-home --shell /usr/sbin/nologin iotcop \
 && mkdir -p /config /data \
 && chown iotcop:iotcop /data && chmod 0700 /data
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY targets.example.yaml ./targets.example.yaml
RUN chmod 0755 /app/dist/cli/main.js && ln -s /app/dist/cli/main.js /usr/local/bin/iotcop
# History goes to /data/history.db; reports wherever --out says (use /data/reports).
# A small young generation: lab peak RSS 149 -> 118-120 MiB for ~10 % more CPU, same wall time
# (BENCHMARKS.md, "Issue 18, continued"). Only the node command line or NODE_OPTIONS can set it.
ENV NODE_OPTIONS=--max-semi-space-size=4 \
    NODE_ENV=production \
    IOTCOP_DB=/data/history.db \
    XDG_DATA_HOME=/data \
    HOME=/data
VOLUME ["/config", "/data"]
USER iotcop:iotcop
ENTRYPOINT ["iotcop"]
CMD ["--help"]
