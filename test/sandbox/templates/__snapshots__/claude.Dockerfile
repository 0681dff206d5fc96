FROM node:22-bookworm-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes apt-get install -y --no-install-recommends git ripgrep ca-certificates curl procps tar gzip
RUN node -e 'const want="22.0.0".split(".").map(Number),have=process.versions.node.split(".").map(Number);for(let i=0;i<3;i++){if(have[i]>want[i])process.exit(0);if(have[i]<want[i]){console.error("Node "+process.versions.node+" is older than 22.0.0");process.exit(1)}}'
RUN npm install -g @anthropic-ai/claude-code@2.1.197
ENV DISABLE_AUTOUPDATER=1 CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1
USER user
WORKDIR /home/user
RUN claude --version
