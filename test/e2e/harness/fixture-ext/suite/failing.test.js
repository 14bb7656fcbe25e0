const assert = require('node:assert/strict');

suite('deliberately failing', () => {
  test('passes', () => assert.equal(1 + 1, 2));
  test('fails on purpose', () => assert.equal(1 + 1, 3));
});
