// Test files load asynchronously (loadFilesAsync) before run(). The promise rejects
// when a test fails, which VS Code turns into a non-zero exit code.
// Mocha 12 is ESM: require() yields its namespace, the class is the default export.
const Mocha = require('mocha').default;

exports.runMochaFiles = async (files) => {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 20_000, reporter: 'spec' });
  for (const f of files) mocha.addFile(f);
  await mocha.loadFilesAsync();
  const failures = await new Promise((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} test(s) failed`);
};
