// `buildkit-lens info`: the engine, its BuildKit worker and its image store.
import { builderInfo } from '../buildkit/builderInfo';
import { connectEngine } from '../engine/connect';
import type { InfoCommand } from './args';
import type { CliIO } from './buildCommand';

export async function runInfo(cmd: InfoCommand, io: CliIO): Promise<number> {
  const engine = await connectEngine({ host: cmd.host, context: cmd.context });
  try {
    const info = await builderInfo(engine);
    if (cmd.json) {
      io.stdout.write(JSON.stringify({ endpoint: engine.endpoint.host, source: engine.endpoint.source, ...info }, null, 2) + '\n');
      return 0;
    }
    const lines = [
      `Endpoint:        ${engine.endpoint.host} (${engine.endpoint.source})`,
      `Engine:          Docker ${info.serverVersion} (API ${info.apiVersion}, ${info.os}/${info.arch})`,
      `BuildKit:        ${info.buildkitVersion ?? 'unknown'}`,
      `Image store:     ${info.containerdStore ? 'containerd (multi-platform images supported)' : `classic (${info.storageDriver || 'graphdriver'}; single-platform images only)`}`,
      `Platforms:       ${info.platforms.join(', ') || 'unknown'}`,
    ];
    io.stdout.write(lines.join('\n') + '\n');
    return 0;
  } finally {
    await engine.close();
  }
}
