import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkTag, localPlatform, parseAddHosts, parseBuildContext, parseKeyValue, parsePlatforms, parseSecretSpec, parseSshSpec, UsageError } from '../../src/buildkit/options';
import { parseCommand } from '../../src/cli/args';
import { sessionDirs, solveRequest } from '../../src/buildkit/solveRequest';
import { explainMissing } from '../../src/buildkit/errorDetails';
import type { BuildCommand } from '../../src/cli/args';
import { localCacheStores, missingCacheImports, unsupportedCacheExport } from '../../src/buildkit/cacheOptions';
import { registryHostOf } from '../../src/buildkit/enginePush';
import { ociStoreName } from '../../src/buildkit/ociLayout';
import { tempDir } from '../support/tmp';
import { enginePushes, unnamedPush } from '../../src/buildkit/exporters';

test('build args: KEY=VALUE, bare KEY from env, malformed rejected', () => {
  assert.deepEqual(parseKeyValue('A=b=c', '--build-arg'), ['A', 'b=c']);
  assert.deepEqual(parseKeyValue('HOME', '--build-arg', { HOME: '/root' }), ['HOME', '/root']);
  assert.throws(() => parseKeyValue('=x', '--build-arg'), UsageError);
  // a bare name not in the environment is left out, as buildx leaves it out
  assert.deepEqual(parseKeyValue('NOPE', '--build-arg', {}), ['NOPE', undefined]);
  assert.throws(() => parseKeyValue('NOPE', '--label'), /invalid --label "NOPE"/);
  assert.throws(() => parseKeyValue('A B=c', '--label'), /invalid --label/);
});

test('platforms are normalised and validated', () => {
  assert.deepEqual(parsePlatforms('linux/x86_64, linux/arm64/v8,linux/amd64'), ['linux/amd64', 'linux/arm64/v8']);
  assert.throws(() => parsePlatforms('linux'), /invalid platform "linux"/);
  assert.throws(() => parsePlatforms('linux/foo'), /unknown architecture "foo"/);
  assert.throws(() => parsePlatforms('plan10/amd64'), /unknown operating system/);
  // "local", as buildx takes it: this machine's architecture
  assert.deepEqual(parsePlatforms('local'), [localPlatform()]);
  assert.equal(localPlatform('x64'), 'linux/amd64');
  assert.equal(localPlatform('arm64'), 'linux/arm64');
  assert.equal(localPlatform('arm'), 'linux/arm/v7');
});

test('secret specs like buildx', () => {
  assert.deepEqual(parseSecretSpec('id=tok,src=/tmp/t'), { id: 'tok', src: '/tmp/t' });
  assert.deepEqual(parseSecretSpec('id=tok,env=TOKEN'), { id: 'tok', env: 'TOKEN' });
  // id alone, as BuildKit's secretsprovider: the variable when it is set, else the file of that name
  assert.deepEqual(parseSecretSpec('id=TOKEN', { TOKEN: 'x' }), { id: 'TOKEN', env: 'TOKEN' });
  assert.deepEqual(parseSecretSpec('id=TOKEN', {}), { id: 'TOKEN', src: 'TOKEN' });
  assert.deepEqual(parseSecretSpec('id=tok,type=file', {}), { id: 'tok', src: 'tok' });
  assert.deepEqual(parseSecretSpec('id=tok,type=env', {}), { id: 'tok', env: 'tok' });
  assert.deepEqual(parseSecretSpec('id=tok,type=env,src=VAR', {}), { id: 'tok', env: 'VAR' });
  assert.deepEqual(parseSecretSpec('src=/run/key.pem'), { id: 'key.pem', src: '/run/key.pem' });
  assert.throws(() => parseSecretSpec('tok'), /invalid --secret/);
  assert.throws(() => parseSecretSpec('id=a,color=red'), /unknown field "color"/);
  assert.throws(() => parseSecretSpec('id=a,src=x,env=y'), /not both/);
});

test('tags and add-hosts', () => {
  assert.equal(checkTag('localhost:5000/team/app:1.0'), 'localhost:5000/team/app:1.0');
  assert.throws(() => checkTag('MyApp'), /must be lowercase/);
  assert.deepEqual(parseAddHosts('db:10.1.2.3'), ['db=10.1.2.3']);
  assert.throws(() => parseAddHosts('db'), /invalid --add-host/);
  // as buildx: comma lists, "=", bracketed or bare IPv6, host-gateway; a bad IP caught before the build
  assert.deepEqual(parseAddHosts('a:10.0.0.1,b=10.0.0.2'), ['a=10.0.0.1', 'b=10.0.0.2']);
  assert.deepEqual(parseAddHosts('v6:[::1]'), ['v6=::1']);
  assert.deepEqual(parseAddHosts('v6:::1'), ['v6=::1']);
  assert.deepEqual(parseAddHosts('gw:host-gateway'), ['gw=host-gateway']);
  assert.throws(() => parseAddHosts('h:notanip'), /invalid --add-host "h:notanip"/);
  assert.throws(() => parseAddHosts(':1.2.3.4'), /invalid --add-host/);
});

test('a bare --build-arg not in the environment is left out; a bare --label is empty (as buildx)', () => {
  const cmd = parseCommand(['build', '--build-arg', 'HTTP_PROXY', '--build-arg', 'SET', '--label', 'bare', 'ctx'], { SET: 'yes' }, '/work') as BuildCommand;
  assert.deepEqual(cmd.options.buildArgs, { SET: 'yes' });
  assert.deepEqual(cmd.options.labels, { bare: '' });
});

test('build command line maps to buildx meanings', () => {
  const cmd = parseCommand(
    ['build', '-f', 'sub/Df', '-t', 'a:1', '-t', 'b', '--target', 'base', '--build-arg', 'X=1', '--label', 'l=v',
      '--platform', 'linux/amd64', '--no-cache', '--network', 'none', '--secret', 'id=s,env=S', '--progress', 'plain',
      '--metadata-file', 'meta.json', 'ctx'],
    {},
    '/work',
  ) as BuildCommand;
  assert.equal(cmd.kind, 'build');
  assert.equal(cmd.options.contextDir, '/work/ctx');
  assert.equal(cmd.options.dockerfile, '/work/sub/Df');
  assert.equal(cmd.metadataFile, '/work/meta.json');
  const req = solveRequest('ref1', 'sess1', cmd.options, { containerdStore: false });
  assert.equal(req.Frontend, 'dockerfile.v0');
  assert.deepEqual(req.FrontendAttrs, {
    filename: 'Df',
    'image-resolve-mode': 'local',
    target: 'base',
    'build-arg:X': '1',
    'label:l': 'v',
    platform: 'linux/amd64',
    'no-cache': '',
    'force-network-mode': 'none',
  });
  assert.equal(req.ExporterDeprecated, 'moby');
  assert.deepEqual(req.ExporterAttrsDeprecated, { name: 'a:1,b' });
  assert.deepEqual(req.Exporters, [{ Type: 'moby', Attrs: { name: 'a:1,b' } }]);
  assert.deepEqual(req.Entitlements, []);
});

test('host network needs the entitlement; containerd store prefers the image digest', () => {
  const cmd = parseCommand(['build', '--network', 'host', '.'], {}, '/w') as BuildCommand;
  const req = solveRequest('r', 's', cmd.options, { containerdStore: true });
  assert.deepEqual(req.Entitlements, ['network.host']);
  assert.equal(req.Exporters[0].Attrs['prefer-image-digest'], 'true');
});

test('usage errors are UsageError with one line', () => {
  assert.throws(() => parseCommand(['build']), /requires exactly 1 argument/);
  assert.throws(() => parseCommand(['build', '--bogus', '.']), (e: Error) => e instanceof UsageError && !e.message.includes('\n'));
  assert.throws(() => parseCommand(['build', '--progress', 'fancy', '.']), /invalid --progress/);
  assert.throws(() => parseCommand(['frobnicate']), /unknown command/);
  assert.throws(() => parseCommand(['build', '--secret', 'id=a,env=A', '--secret', 'id=a,env=B', '.']), /duplicate --secret/);
});

test('-o/--output: buildx forms, dest resolved against the working directory; several, with --load and --push as outputs', () => {
  const out = (args: string[]) => (parseCommand(['build', ...args, '.'], {}, '/w') as BuildCommand).options.outputs;
  assert.deepEqual(out(['-o', 'dist']), [{ type: 'local', attrs: { dest: '/w/dist' } }]);
  assert.deepEqual(out(['--output', 'type=tar,dest=../x.tar']), [{ type: 'tar', attrs: { dest: '/x.tar' } }]);
  assert.deepEqual(out(['-o', '-']), [{ type: 'tar', attrs: { dest: '-' } }]);
  assert.deepEqual(out(['-o', 'type=image,name=r/a:1,push=true']), [{ type: 'image', attrs: { name: 'r/a:1', push: 'true' } }]);
  assert.equal(out([]), undefined);
  assert.deepEqual(out(['-o', 'a', '-o', 'type=tar,dest=b.tar']), [{ type: 'local', attrs: { dest: '/w/a' } }, { type: 'tar', attrs: { dest: '/w/b.tar' } }]);
  assert.throws(() => parseCommand(['build', '-o', 'type=zip', '.']), (e: Error) => e instanceof UsageError && /--output: .*unknown type "zip"/.test(e.message));
  // --load is the engine's store: alone, with --push or with type=docker it is the same output; beside another, one more
  assert.equal(out(['--load']), undefined);
  assert.deepEqual(out(['--load', '-o', 'type=docker']), [{ type: 'moby', attrs: {} }]);
  assert.deepEqual(out(['--load', '--push', '-t', 'r/a:1']), [{ type: 'image', attrs: { push: 'true' } }]);
  assert.deepEqual(out(['--load', '-o', 'dist']), [{ type: 'local', attrs: { dest: '/w/dist' } }, { type: 'moby', attrs: {} }]);
  assert.deepEqual(out(['--push', '-o', 'dist', '-t', 'r/a:1']), [{ type: 'local', attrs: { dest: '/w/dist' } }, { type: 'image', attrs: { push: 'true' } }]);
});

test('--pull, --no-cache-filter and --iidfile as buildx takes them', () => {
  const cmd = (args: string[]) => parseCommand(['build', ...args, '.'], {}, '/w') as BuildCommand;
  const attrs = (args: string[]) => solveRequest('r', 's', cmd(args).options, { containerdStore: false }).FrontendAttrs;
  assert.equal(attrs([])['image-resolve-mode'], 'local');
  assert.equal(attrs(['--pull'])['image-resolve-mode'], 'pull');
  assert.equal(attrs(['--no-cache-filter', 'a,b', '--no-cache-filter', 'c'])['no-cache'], 'a,b,c');
  assert.equal(attrs(['--no-cache-filter', 'a', '--no-cache'])['no-cache'], '', '--no-cache is every stage');
  assert.equal('no-cache' in attrs([]), false);
  assert.equal(cmd(['--iidfile', 'out/iid']).iidFile, '/w/out/iid');
});

test('--build-context: names in short form, directories resolved, sources passed through, as buildx sends them', () => {
  const cmd = (args: string[]) => parseCommand(['build', ...args, '.'], {}, '/w') as BuildCommand;
  const opts = cmd([
    '--build-context', 'docker.io/library/base:latest=../shared',
    '--build-context', 'context=ctx2',
    '--build-context', 'alpine:3.19=docker-image://busybox:latest',
    '--build-context', 'src=https://example.invalid/src.git#main',
  ]).options;
  assert.deepEqual(opts.namedContexts, {
    base: { dir: '/shared' },
    context: { dir: '/w/ctx2' },
    'alpine:3.19': { ref: 'docker-image://busybox:latest' },
    src: { ref: 'https://example.invalid/src.git#main' },
  });
  // bake's; buildx build refuses it before the build, and so do we
  assert.throws(() => cmd(['--build-context', 'tools=target:builder']), /target: names a bake target/);
  const attrs = solveRequest('r', 's', opts, { containerdStore: false }).FrontendAttrs;
  assert.equal(attrs['context:base'], 'local:base');
  assert.equal(attrs['context:context'], 'local:_context', 'the build context keeps its own name');
  assert.equal(attrs['context:alpine:3.19'], 'docker-image://busybox:latest');
  assert.equal(attrs['frontend.caps'], 'moby.buildkit.frontend.contexts+forward');
  assert.deepEqual(sessionDirs(opts), { context: '/w', dockerfile: '/w', base: '/shared', _context: '/w/ctx2' });
  assert.equal('frontend.caps' in solveRequest('r', 's', cmd([]).options, { containerdStore: false }).FrontendAttrs, false);

  assert.throws(() => cmd(['--build-context', 'Base=.']), /invalid --build-context name "Base": names are image references, lowercase/);
  assert.throws(() => cmd(['--build-context', 'base']), /expected NAME=PATH/);
  assert.throws(() => cmd(['--build-context', 'base=']), /expected NAME=PATH/);
  assert.throws(() => cmd(['--build-context', 'base=.', '--build-context', 'base:latest=..']), /"base" is given twice/);
  const oci = (v: string) => cmd(['--build-context', `base=${v}`]).options.namedContexts?.base;
  const d = `sha256:${'c'.repeat(64)}`;
  assert.deepEqual(oci('oci-layout://layout'), { ociLayout: { dir: '/w/layout', tag: 'latest' } });
  assert.deepEqual(oci('oci-layout:///l:v1'), { ociLayout: { dir: '/l', tag: 'v1' } });
  assert.deepEqual(oci(`oci-layout:///l@${d}`), { ociLayout: { dir: '/l', digest: d } });
  assert.deepEqual(oci(`oci-layout:///l:v1@${d}`), { ociLayout: { dir: '/l', tag: 'v1', digest: d } });
  assert.equal(
    solveRequest('r', 's', { ...opts, namedContexts: { base: { ociLayout: { dir: '/l', tag: 'v1', digest: d } } } }, { containerdStore: true }).FrontendAttrs['context:base'],
    `oci-layout://${ociStoreName('/l')}:v1@${d}`,
  );
  assert.throws(() => cmd(['--build-context', 'base=oci-layout://']), /expected oci-layout:\/\/DIR\[:TAG\]\[@DIGEST\]/);
  assert.deepEqual(parseBuildContext(`x@sha256:${'a'.repeat(64)}=d`, '/w'), [`x@sha256:${'a'.repeat(64)}`, { dir: '/w/d' }]);
  assert.throws(() => parseBuildContext('x@sha256:zz=d', '/w'), /invalid --build-context name/);

  assert.match(explainMissing('failed to solve with frontend dockerfile.v0: unsupported frontend capability moby.buildkit.frontend.contexts') ?? '', /^named build contexts need BuildKit 0\.10 or later \(Docker 23\.0 or later\)/);
  assert.equal(explainMissing('exit code: 1'), undefined);
});

test('--ssh: the agent of SSH_AUTH_SOCK, or a socket by id; key files and a missing agent said plainly', () => {
  const env = { SSH_AUTH_SOCK: '/run/user/1/agent.sock' };
  const cmd = (args: string[], e: NodeJS.ProcessEnv = env) => parseCommand(['build', ...args, '.'], e, '/w') as BuildCommand;
  assert.deepEqual(cmd(['--ssh', 'default', '--ssh', 'gh=sock/a']).options.ssh, [
    { id: 'default', socket: '/run/user/1/agent.sock' },
    { id: 'gh', socket: '/w/sock/a' },
  ]);
  assert.equal('ssh' in cmd([]).options, false);
  assert.throws(() => cmd(['--ssh', 'default'], {}), /--ssh default: SSH_AUTH_SOCK is not set/);
  assert.throws(() => cmd(['--ssh', 'default=~/.ssh/id_ed25519,~/.ssh/id_rsa']), /key files are not forwarded, only an agent: load the keys with ssh-add/);
  assert.throws(() => cmd(['--ssh', 'a=x', '--ssh', 'a=y']), /duplicate --ssh id "a"/);
  assert.throws(() => parseSshSpec('=x', env, '/w'), /invalid --ssh "=x"/);
  assert.match(explainMissing('no SSH key "" forwarded from the client') ?? '', /^RUN --mount=type=ssh needs an SSH agent, and none with id "default" is forwarded: give --ssh default/);
});

test('--cache-from / --cache-to: buildx forms, into the Solve request and the frontend attrs', () => {
  const cmd = (args: string[], env: NodeJS.ProcessEnv = {}) => parseCommand(['build', ...args, '.'], env, '/w') as BuildCommand;
  const o = cmd(['--cache-from', 'reg.example/app:cache', '--cache-from', 'type=gha,scope=x', '--cache-to', 'type=registry,ref=reg.example/app:cache,mode=max', '--cache-to', 'type=inline'], {
    ACTIONS_CACHE_URL: 'https://cache.example/',
    ACTIONS_RUNTIME_TOKEN: 'tok',
  }).options;
  assert.deepEqual(o.cacheFrom, [
    { type: 'registry', attrs: { ref: 'reg.example/app:cache' } },
    { type: 'gha', attrs: { scope: 'x', url: 'https://cache.example/', token: 'tok' } },
  ]);
  const req = solveRequest('r', 's', o, { containerdStore: true });
  assert.deepEqual(req.Cache, {
    Exports: [{ Type: 'registry', Attrs: { ref: 'reg.example/app:cache', mode: 'max' } }, { Type: 'inline', Attrs: {} }],
    Imports: [{ Type: 'registry', Attrs: { ref: 'reg.example/app:cache' } }, { Type: 'gha', Attrs: { scope: 'x', url: 'https://cache.example/', token: 'tok' } }],
  });
  assert.deepEqual(JSON.parse(req.FrontendAttrs['cache-imports']), req.Cache!.Imports);
  const none = solveRequest('r', 's', cmd([]).options, { containerdStore: true });
  assert.equal(none.Cache, undefined);
  assert.equal('cache-imports' in none.FrontendAttrs, false);

  const local = cmd(['--cache-to', 'type=local,dest=cache,mode=max', '--cache-from', 'type=local,src=cache']).options;
  assert.deepEqual([local.cacheTo, local.cacheFrom], [[{ type: 'local', attrs: { dest: '/w/cache', mode: 'max' } }], [{ type: 'local', attrs: { src: '/w/cache' } }]]);
  assert.deepEqual([...localCacheStores(local.cacheFrom, local.cacheTo)], [['local:/w/cache', '/w/cache']], 'the folder is the store\'s id');
  // as buildx warns: a local cache to import from a folder that is not there
  assert.deepEqual(missingCacheImports(local.cacheFrom), ['local cache import at /w/cache not found: no such directory']);
  assert.deepEqual(missingCacheImports([{ type: 'local', attrs: { src: tempDir('bkl-cache-') } }, { type: 'registry', attrs: { ref: 'x' } }]), []);
  assert.throws(() => cmd(['--cache-to', 'type=local']), /type=local needs dest=DIRECTORY/);
  assert.throws(() => cmd(['--cache-from', 'type=local,dest=x']), /type=local needs src=DIRECTORY/);
  assert.throws(() => cmd(['--cache-from', 'type=registry']), /type=registry needs ref=REF/);
  assert.throws(() => cmd(['--cache-to', 'ref=x']), /type= is missing/);
  assert.throws(() => cmd(['--cache-to', 'type=nfs,ref=x']), /unknown type "nfs"/);
  assert.throws(() => cmd(['--cache-to', 'type=registry,ref=x,mode=all']), /mode must be min or max/);
  assert.throws(() => cmd(['--cache-from', 'type=inline']), /give the image that carries the inline cache/);
  assert.equal(unsupportedCacheExport({ type: 'inline', attrs: {} }, { containerdStore: false, standalone: false }), undefined);
  assert.equal(unsupportedCacheExport({ type: 'registry', attrs: { ref: 'x' } }, { containerdStore: true, standalone: false }), undefined);
  assert.match(unsupportedCacheExport({ type: 'registry', attrs: { ref: 'x' } }, { containerdStore: false, standalone: false }) ?? '', /^--cache-to type=registry needs the containerd image store/);
});

test('--push: the engine\'s exporter, which pushes on the containerd store; on the classic store the store, then the engine pushes', () => {
  const cmd = (args: string[]) => parseCommand(['build', ...args, '.'], {}, '/w') as BuildCommand;
  const o = cmd(['--push', '-t', 'reg.example:5000/app:1']).options;
  assert.deepEqual(o.outputs, [{ type: 'image', attrs: { push: 'true' } }]);
  assert.deepEqual(cmd(['-o', 'type=registry,name=reg.example/x']).options.outputs, [{ type: 'image', attrs: { name: 'reg.example/x', push: 'true' } }]);
  assert.deepEqual(cmd(['--push', '-o', 'type=image,name=r/x']).options.outputs, [{ type: 'image', attrs: { name: 'r/x', push: 'true' } }]);
  // beside an output that makes no image, --push is an image output of its own, as buildx adds type=registry
  assert.deepEqual(cmd(['--push', '-o', 'type=local,dest=out']).options.outputs, [{ type: 'local', attrs: { dest: '/w/out' } }, { type: 'image', attrs: { push: 'true' } }]);

  const containerd = { containerdStore: true };
  const classic = { containerdStore: false };
  // as buildx's docker driver: the engine's exporter, which names and stores the image as Docker does
  assert.deepEqual(solveRequest('r', 's', o, containerd).Exporters, [{ Type: 'moby', Attrs: { push: 'true', name: 'reg.example:5000/app:1', 'prefer-image-digest': 'true' } }]);
  // a standalone buildkitd has BuildKit's own image exporter
  assert.deepEqual(solveRequest('r', 's', o, { containerdStore: false, standalone: true }).Exporters, [{ Type: 'image', Attrs: { push: 'true', name: 'reg.example:5000/app:1' } }]);
  assert.deepEqual(enginePushes(o.outputs, o.tags, containerd), []);
  assert.deepEqual(solveRequest('r', 's', o, classic).Exporters, [{ Type: 'moby', Attrs: { name: 'reg.example:5000/app:1' } }]);
  assert.deepEqual(enginePushes(o.outputs, o.tags, classic), ['reg.example:5000/app:1']);
  assert.deepEqual(enginePushes([{ type: 'image', attrs: { name: 'a/b:1,c/d:2', push: 'true' } }], [], classic), ['a/b:1', 'c/d:2']);
  assert.deepEqual(enginePushes([{ type: 'image', attrs: { name: 'a/b:1' } }], [], classic), [], 'no push asked');
  assert.match(unnamedPush({ type: 'image', attrs: { push: 'true' } }, []) ?? '', /^pushing needs an image name: give -t/);
  assert.equal(unnamedPush({ type: 'image', attrs: { push: 'true' } }, ['x']), undefined);

  assert.equal(registryHostOf('reg.example:5000/app:1'), 'reg.example:5000');
  assert.equal(registryHostOf('localhost/app'), 'localhost');
  assert.equal(registryHostOf('team/app:1'), 'docker.io');
  assert.equal(registryHostOf('app'), 'docker.io');
});

test('flag forms buildx (pflag) takes: booleans with a value, short flags joined with "=", values with a leading dash, empty -f', () => {
  const cmd = (args: string[]) => parseCommand(['build', ...args, '.'], {}, '/w') as BuildCommand;
  assert.equal(cmd(['--no-cache=true']).options.noCache, true);
  assert.equal(cmd(['--no-cache=false']).options.noCache, false);
  assert.equal(cmd(['--pull=1']).options.pull, true);
  assert.equal(cmd(['-q=true']).quiet, true);
  assert.deepEqual(cmd(['-t=app:1', '-f=sub/Dockerfile']).options.tags, ['app:1']);
  assert.equal(cmd(['-f=sub/Dockerfile']).options.dockerfile, '/w/sub/Dockerfile');
  assert.deepEqual(cmd(['-o=type=tar,dest=out.tar']).options.outputs, [{ type: 'tar', attrs: { dest: '/w/out.tar' } }]);
  assert.equal(cmd(['--target=app']).options.target, 'app', 'a long string flag with "=" is parseArgs\' own');
  assert.throws(() => cmd(['--pull=maybe']), /invalid argument "maybe" for "--pull": expected true or false/);
  // an unset CI variable: -f "" is the default Dockerfile; an empty context is refused, as buildx does
  assert.equal(cmd(['-f', '']).options.dockerfile, '/w/Dockerfile');
  assert.throws(() => parseCommand(['build', ''], {}, '/w'), /please specify build context/);
  assert.throws(() => cmd(['--iidfile', 'id', '-o', 'type=local,dest=out']), /local and tar exporters are incompatible with image ID file/);
  // a value that starts with a dash is the flag's, as pflag takes it; "-" alone is standard output
  assert.deepEqual(cmd(['--label', '-x=1', '--build-arg', '-y=2']).options.labels, { '-x': '1' });
  assert.deepEqual(cmd(['--build-arg', '-y=2']).options.buildArgs, { '-y': '2' });
  assert.equal(cmd(['--target', '-stage']).options.target, '-stage');
  assert.throws(() => cmd(['-t', '-bad']), /invalid tag "-bad"/);
  assert.throws(() => cmd(['-t=-bad']), /invalid tag "-bad"/);
  assert.equal(cmd(['-o', '-']).options.outputs?.[0].attrs.dest, '-');
  assert.equal(cmd(['-q', '-t', 'app']).quiet, true, 'a boolean flag takes no value');
});

test('--add-host NAME:host-gateway takes the engine worker\'s address; an engine without one is told plainly', async () => {
  const { resolveHostGateway } = await import('../../src/buildkit/hostGateway');
  const workers = (ip?: string) => async () => {
    const Labels: Record<string, string> = ip ? { 'org.mobyproject.buildkit.worker.moby.host-gateway-ip': ip } : {};
    return [{ ID: 'w', Labels, platforms: [] }];
  };
  assert.deepEqual(await resolveHostGateway(['a=1.2.3.4', 'gw=host-gateway'], workers('172.17.0.1')), ['a=1.2.3.4', 'gw=172.17.0.1']);
  await assert.rejects(resolveHostGateway(['gw=host-gateway'], workers('<nil>')), /this engine gives an address it cannot use \("<nil>"/);
  await assert.rejects(resolveHostGateway(['gw=host-gateway'], workers()), /this engine gives no address for it/);
  let asked = false;
  await resolveHostGateway(['a=1.2.3.4'], async () => ((asked = true), []));
  assert.equal(asked, false);
});
