# One image for both processes: the API (default command) and the worker
# (command: node dist/apps/worker/src/main.js). See docker-compose.yml.

# --- build: install every dependency, compile TypeScript to dist/ ----------------------------
FROM node:24-bookworm-slim AS build
WORKDIR /app

COPY package.json package-lock.json .npmrc ./
# `npm install`, not `npm ci`: the registry this project installs from answers 404 for the
# optional native-binary packages built for other platforms, so the committed lock file lacks
# their entries and `npm ci` refuses it as out of sync with package.json (see .ci/run, which
# checks that `npm install` leaves the committed lock file unchanged).
RUN npm install --no-audit --no-fund

COPY tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
RUN npx tsc -p tsconfig.build.json

# Keep only what runs in production (drops TypeScript, jest and the pinned `node` package:
# the image's own Node 24 runs the service).
RUN npm prune --omit=dev --no-audit --no-fund

# --- runtime ------------------------------------------------------------------------------------
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/app/.data
WORKDIR /app

# package.json is needed at run time: its "imports" map (#core, #catalog, ...) points into dist/.
COPY --from=build --chown=root:root /app/package.json ./package.json
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
# The web console's static files, served at /console.
COPY --from=build --chown=root:root /app/apps/api/console ./apps/api/console
# DATA_DIR is only written without DATABASE_URL (embedded catalog); give the service user a place.
RUN mkdir -p /app/.data && chown node:node /app/.data

USER node
EXPOSE 8080
CMD ["node", "dist/apps/api/src/main.js"]
