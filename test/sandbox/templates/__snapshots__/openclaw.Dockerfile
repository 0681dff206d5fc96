FROM node:24-bookworm-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes apt-get install -y --no-install-recommends git ripgrep ca-certificates curl procps tar gzip
RUN node -e 'const want="24.16.0".split(".").map(Number),have=process.versions.node.split(".").map(Number);for(let i=0;i<3;i++){if(have[i]>want[i])process.exit(0);if(have[i]<want[i]){console.error("Node "+process.versions.node+" is older than 24.16.0");process.exit(1)}}'
RUN npm install -g openclaw@2026.9.6
USER user
WORKDIR /home/user
RUN mkdir -p /home/user/.openclaw && printf '%s\n' '{"agents":{"defaults":{"model":{"primary":"anthropic/claude-sonnet-4-6"},"skipBootstrap":true}}}' > /home/user/.openclaw/openclaw.json
RUN openclaw --version
