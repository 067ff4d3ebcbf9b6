# syntax=docker/dockerfile:1
# Herald: one process (web + schedules) on one SQLite file in the /data volume.

ARG NODE_VERSION=22

# ---- build: compilers for better-sqlite3's native addon, dev dependencies for the TypeScript build
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY views ./views
COPY public ./public
COPY migrations ./migrations
# Compiles src/ and views/ into dist/ and copies the pinned htmx and stylesheet into public/vendor.
# Litestream (REPLICA_URL) is an optional production dependency for linux-x64
# (@flydotio/litestream-linux-x64): npm ci installs it on that platform and the prune keeps it; the last line
# proves it there. On other platforms the image builds without it and REPLICA_URL says so at start-up.
RUN npm run build \
 && npm prune --omit=dev \
 && if [ -d node_modules/@flydotio/litestream-linux-x64 ]; then node_modules/@flydotio/litestream-linux-x64/litestream version; fi

# ---- runtime: no compilers, non-root, an init so SIGTERM reaches node (Herald then stops
# Litestream itself, after its last commit; `tail` from coreutils ends Litestream if Herald dies)
FROM node:${NODE_VERSION}-bookworm-slim
# ffmpeg makes the media library's video posters (first frames). Off by default: it and its
# libraries make the image much larger. Build with --build-arg WITH_FFMPEG=true to include it.
ARG WITH_FFMPEG=false
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && if [ "$WITH_FFMPEG" = "true" ]; then apt-get install -y --no-install-recommends ffmpeg; fi \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    DATA_DIR=/data \
    PORT=3000
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/public ./public
COPY --from=build /app/migrations ./migrations
RUN printf '#!/bin/sh\nexec node /app/dist/src/cli.js "$@"\n' > /usr/local/bin/herald \
 && chmod 0755 /usr/local/bin/herald \
 && mkdir -p /data \
 && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["tini", "--", "herald"]
CMD ["serve"]
