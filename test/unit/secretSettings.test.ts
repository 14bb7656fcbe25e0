// The buildkitLens.build.secrets setting: paths resolved like the user means them, bad entries named.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { secretsFromSetting } from '../../src/extension/secretSettings';

test('~ is the home folder, relative src the workspace folder, absolute src and env names stay', () => {
  const specs = secretsFromSetting(['id=a,src=~/.tok', 'id=b,src=keys/b.txt', 'id=c,source=/etc/c', 'id=d,env=D_VAR'], '/ws', '/home/u');
  assert.deepEqual(specs, [
    { id: 'a', src: '/home/u/.tok' },
    { id: 'b', src: '/ws/keys/b.txt' },
    { id: 'c', src: '/etc/c' },
    { id: 'd', env: 'D_VAR' },
  ]);
});

test('invalid entries fail with one line naming the setting', () => {
  for (const [entries, re] of [
    [['id=a,bogus=1'], /^Invalid buildkitLens\.build\.secrets: .*unknown field "bogus"/],
    [['id=a,src=x,env=Y'], /src or env, not both/],
    [['id=a,src=x', 'id=a,env=A'], /secret id "a" is given twice/],
    [[42], /every entry must be a string/],
  ] as [unknown[], RegExp][]) {
    assert.throws(() => secretsFromSetting(entries, '/ws', '/home/u'), (e: Error) => re.test(e.message) && !e.message.includes('\n'));
  }
});
