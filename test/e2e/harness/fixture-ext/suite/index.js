// Passing fixture suite: proves the harness runs Mocha inside the real extension host with
// the `vscode` API available. Same run() shape as @vscode/test-electron suites.
const path = require('node:path');
const { runMochaFiles } = require('./mochaRun');

exports.run = () => runMochaFiles([path.join(__dirname, 'fixture.test.js')]);
