// Fixture suite that never finishes: the harness must time out, report, and still clean up.
exports.run = () => new Promise(() => undefined);
