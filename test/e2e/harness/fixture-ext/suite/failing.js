// Deliberately failing fixture suite: the harness self-test expects a non-zero exit code.
const path = require('node:path');
const { runMochaFiles } = require('./mochaRun');

exports.run = () => runMochaFiles([path.join(__dirname, 'failing.test.js')]);
