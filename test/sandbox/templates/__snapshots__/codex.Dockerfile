FROM node:22-bookworm-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes apt-get install -y --no-install-recommends git ripgrep ca-certificates curl procps tar gzip
RUN node -e 'const want="22.0.0".split(".").map(Number),have=process.versions.node.split(".").map(Number);for(let i=0;i<3;i++){if(have[i]>want[i])process.exit(0);if(have[i]<want[i]){console.error("Node "+process.versions.node+" is older than 22.0.0");process.exit(1)}}'
RUN npm install -g @openai/codex@0.171.0
ENV CODEX_HOME=/home/user/.codex
USER user
WORKDIR /home/user
RUN mkdir -p /home/user/.codex && printf '%s\n' '# Written by issuesmith: Codex runs headless, one job a sandbox.' 'check_for_update_on_startup = false' '# To use another endpoint than api.openai.com (keyless sandboxes then need its host):' '# openai_base_url = "https://gateway.example.com/v1"' > /home/user/.codex/config.toml
RUN codex --version
