// Host key checking for ssh:// engines. The Docker CLI runs OpenSSH, which refuses a server whose
// key is not in known_hosts (in a script there is no one to ask); so do we, rather than send the
// build context, secrets and registry credentials to whoever answers at that address.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** OpenSSH's default UserKnownHostsFile and GlobalKnownHostsFile */
export function knownHostsFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const home = env.HOME || os.homedir();
  return [path.join(home, '.ssh', 'known_hosts'), path.join(home, '.ssh', 'known_hosts2'), '/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];
}

/** the name known_hosts keeps a server under: "host" on port 22, "[host]:port" otherwise */
export function knownHostName(host: string, port = 22): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function glob(pattern: string, name: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(name);
}

/** a known_hosts host field: "|1|salt|hash" (HashKnownHosts), or patterns where a "!pattern" match excludes */
function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    return crypto.createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  let hit = false;
  for (const p of field.split(',')) {
    if (p.startsWith('!')) {
      if (glob(p.slice(1), name)) return false;
    } else if (glob(p, name)) hit = true;
  }
  return hit;
}

/**
 * undefined when key (the server's public key blob, as SSH sends it) is known for host:port;
 * else why not, in one line, with what to do.
 */
export function checkHostKey(host: string, port: number | undefined, key: Buffer, files = knownHostsFiles()): string | undefined {
  const name = knownHostName(host, port);
  let known: string | undefined;
  let accepted = false;
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const raw of text.split('\n')) {
      const parts = raw.trim().split(/\s+/);
      if (!parts[0] || parts[0].startsWith('#')) continue;
      const marker = parts[0].startsWith('@') ? parts.shift() : undefined;
      const [hosts, , b64] = parts;
      if (!hosts || !b64 || !hostFieldMatches(hosts, name)) continue;
      const same = Buffer.from(b64, 'base64').equals(key);
      if (marker === '@revoked' && same) return `the host key of ${name} is marked revoked in ${file}: refusing to connect`;
      // @cert-authority lines vouch for certificates, which are not checked here
      if (marker) continue;
      known ??= file;
      if (same) accepted = true;
    }
  }
  if (accepted) return undefined;
  const login = `ssh${port && port !== 22 ? ` -p ${port}` : ''} ${host}`;
  if (known) {
    return `the host key of ${name} does not match the one in ${known}: the server may have been replaced, or someone may be in between; refusing to connect (once you have checked, "ssh-keygen -R '${name}'" removes the old key)`;
  }
  return `${name} is not in known_hosts (${files[0]}): check its host key and add it, e.g. by connecting once with "${login}", as the Docker CLI's ssh needs too`;
}
