// Entry of the extension-host test run (the @vscode/test-electron shape: run(): Promise<void>).
// BKL_E2E_RESTRICTED=1 selects the Restricted Mode suite, which needs an untrusted workspace.
import * as path from 'path';

// Mocha 12 is ESM; require() yields its namespace with the class as default export.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const MochaModule = require('mocha');
const Mocha = MochaModule.default ?? MochaModule;

export async function run(): Promise<void> {
  const restricted = process.env.BKL_E2E_RESTRICTED === '1';
  const files = restricted ? ['restricted.test.js'] : ['commands.test.js', 'codeLens.test.js', 'build.test.js', 'secrets.test.js', 'namedContexts.test.js', 'ssh.test.js', 'provenance.test.js', 'engineKill.test.js', 'tlsEngine.test.js'];
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 120_000, reporter: 'spec', grep: process.env.BKL_E2E_GREP });
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  await mocha.loadFilesAsync();
  const failures: number = await new Promise((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} extension-host test(s) failed`);
}
