import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { inertJson } from '../../src/extension/inertJson';

test('JSON for a <script type="application/json"> element has no "<" and reads back unchanged', () => {
  const value = {
    name: `RUN echo '</script><script>parent.pwned=1</script>' <!-- <\/SCRIPT >`,
    nested: [{ log: '<img src=x onerror=alert(1)>' }, 'a < b', '\u2028\u2029'],
  };
  const text = inertJson(value);
  assert.equal(text.includes('<'), false);
  assert.deepEqual(JSON.parse(text), value);
  // and as an HTML parser sees it: the element holds all of it
  const html = `<script type="application/json" id="x">${text}</script>`;
  assert.equal(html.indexOf('</script>'), html.length - '</script>'.length);
});
