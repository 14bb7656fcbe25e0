// Nothing to activate: the probe's work is done by probe.js, the extensionTestsPath module.
exports.activate = () => undefined;
