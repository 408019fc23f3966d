# mirrormaker-ts: the MirrorMaker 2 drop-in, as a container.
#   docker build -t mirrormaker-ts .
#   docker run --rm -v $PWD/mm2.properties:/etc/mirrormaker/mm2.properties:ro mirrormaker-ts \
#     /etc/mirrormaker/mm2.properties --clusters us
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config ./config
RUN ln -s /app/dist/cli/connect-mirror-maker.js /usr/local/bin/connect-mirror-maker \
 && ln -s /app/dist/cli/mm2-bin.js /usr/local/bin/mm2 \
 && chmod +x /app/dist/cli/*.js \
 && mkdir -p /etc/mirrormaker
USER node
ENTRYPOINT ["connect-mirror-maker"]
CMD ["/etc/mirrormaker/mm2.properties"]
