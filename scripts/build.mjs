// Bundles the extension host code, the panel and the CLI with esbuild.
//   node scripts/build.mjs [--dev] [--watch]
// --dev keeps bundles unminified with inline source maps.
import * as esbuild from 'esbuild';
import { chmodSync, copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dev = process.argv.includes('--dev');
const watch = process.argv.includes('--watch');
const dist = join(root, 'dist');
mkdirSync(dist, { recursive: true });

const common = {
  bundle: true,
  minify: !dev,
  sourcemap: dev ? 'inline' : false,
  logLevel: 'warning',
  legalComments: 'none',
  absWorkingDir: root,
};

// ssh2's optional native helpers are loaded in try/catch and fall back to JS.
const nodeExternals = ['vscode', 'cpu-features', '*.node'];

// ssh2 (a quarter of the bundle) is only needed for ssh:// engines: the extension loads it from
// its own file on first use, so activation stays small and fast. docker-modem reads
// `require('ssh2').Client` when it loads, so Client is a stand-in constructor that loads the real
// one only when an ssh connection is made (`new` returns the real instance).
const lazySsh2 = {
  name: 'lazy-ssh2',
  setup(build) {
    build.onResolve({ filter: /^ssh2$/ }, () => ({ path: 'ssh2', namespace: 'lazy-ssh2' }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-ssh2' }, () => ({
      contents: "module.exports = { Client: function Client(...a) { return new (require('./ssh2.js').Client)(...a); } };",
      loader: 'js',
    }));
    build.onResolve({ filter: /^\.\/ssh2\.js$/ }, () => ({ path: './ssh2.js', external: true }));
  },
};

// dockerfile-ast and its language-server types are more than half of what activation would compile;
// dockerfileModel.ts requires them on the first parse, from their own file.
const lazyDockerfileAst = {
  name: 'lazy-dockerfile-ast',
  setup(build) {
    build.onResolve({ filter: /^dockerfile-ast$/ }, () => ({ path: './dockerfileAst.js', external: true }));
  },
};

// Every module's `import * as fs from 'node:fs'` (or 'vscode') would become its own esbuild
// __toESM copy of the whole exports object: getters for some 400 names of the vscode API 18 times
// (2-16 ms of activation), node:fs 15 times in the CLI, twice in the walk worker. Through one ESM
// module per specifier that re-exports it, each is wrapped once and our modules share it.
// Dependencies (node_modules) use require() and are left as they are.
const builtins = new Set(builtinModules);
const externalsOnce = {
  name: 'externals-once',
  setup(build) {
    build.onResolve({ filter: /^(vscode|node:.*|[a-z_/]+)$/ }, (args) => {
      if (args.namespace === 'externals-once') return { path: args.path, external: true };
      if (args.kind !== 'import-statement' || args.importer.includes('node_modules')) return undefined;
      const bare = args.path.replace(/^node:/, '');
      if (args.path === 'vscode') return { path: 'vscode', namespace: 'externals-once' };
      return builtins.has(bare) ? { path: `node:${bare}`, namespace: 'externals-once' } : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: 'externals-once' }, (args) => ({ contents: `export * from ${JSON.stringify(args.path)};`, loader: 'js' }));
  },
};

/** A CommonJS bundle for Node (the extension host or the CLI). */
const nodeBundle = (entryPoints, extra = {}) => ({
  ...common,
  entryPoints,
  outdir: dist,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: nodeExternals,
  ...extra,
  plugins: [externalsOnce, ...(extra.plugins ?? [])],
});

const builds = [
  // dist/extension.js only loads dist/extensionMain.js through V8's code cache (src/extension/activate.ts)
  nodeBundle({ extension: 'src/extension/activate.ts' }),
  nodeBundle({ extensionMain: 'src/extension/main.ts' }, { plugins: [lazySsh2, lazyDockerfileAst] }),
  nodeBundle({ dockerfileAst: 'dockerfile-ast' }),
  nodeBundle({ engineCore: 'src/extension/engineCore.ts' }, { plugins: [lazySsh2] }),
  nodeBundle({ ssh2: 'ssh2' }),
  // the context walk's worker thread (src/buildkit/filesync/prefetch.ts), for the extension and the CLI
  nodeBundle({ walkWorker: 'src/buildkit/filesync/walkWorker.ts' }),
  {
    ...common,
    // terminal.js (xterm.js) and elements.js (@vscode-elements) are loaded by the panel after its
    // first paint, so it paints without them (webview/deferred.ts)
    entryPoints: { webview: 'webview/main.ts', terminal: 'webview/terminal.ts', elements: 'webview/elements.ts' },
    outdir: dist,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
  {
    ...common,
    entryPoints: { webview: 'webview/index.css' },
    outdir: dist,
    loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file' },
  },
  // The CLI loads ssh2 lazily too: its module setup is ~10 ms of every start, and only ssh:// needs it.
  nodeBundle({ cliMain: 'src/cli/main.ts' }, { plugins: [lazySsh2] }),
  // dist/cli.js only loads dist/cliMain.js through V8's code cache (src/cli/launch.ts).
  nodeBundle({ cli: 'src/cli/launch.ts' }, { banner: { js: '#!/usr/bin/env node' } }),
];

// The CLI's command: a shell script, so that it can keep NODE_EXTRA_CA_CERTS from Node's start-up
copyFileSync(join(root, 'src/cli/buildkit-lens.sh'), join(dist, 'buildkit-lens'));
chmodSync(join(dist, 'buildkit-lens'), 0o755);

// Codicons are loaded as a stylesheet next to their font (vscode-elements looks the link up by id).
for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(join(root, 'node_modules/@vscode/codicons/dist', f), join(dist, f));

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log('build: watching');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  for (const f of ['extension.js', 'extensionMain.js', 'dockerfileAst.js', 'engineCore.js', 'ssh2.js', 'webview.js', 'terminal.js', 'elements.js', 'webview.css', 'cli.js', 'cliMain.js', 'walkWorker.js']) {
    const p = join(dist, f);
    if (existsSync(p)) console.log(`build: dist/${f} ${(statSync(p).size / 1024).toFixed(0)} KiB`);
  }
}
