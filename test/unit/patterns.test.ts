// .dockerignore pattern semantics, with cases written after moby/patternmatcher's own tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanPath, compilePatterns, parseIgnoreFile, PatternError } from '../../src/buildkit/filesync/patterns';

/** [pattern, path, matches] for MatchesOrParentMatches with a single pattern. */
const SINGLE: [string, string, boolean][] = [
  ['**', 'file', true],
  ['**', 'file/', true],
  ['**/', 'file', true],
  ['**/', 'file/', true],
  ['**', '/', true],
  ['**/', '/', true],
  ['**', 'dir/file', true],
  ['**/', 'dir/file', true],
  ['**', 'dir/file/', true],
  ['**/**', 'dir/file', true],
  ['**/**', 'dir/file/', true],
  ['dir/**', 'dir/file', true],
  ['dir/**', 'dir/file/', true],
  ['dir/**', 'dir/dir2/file', true],
  ['dir/**', 'dir/dir2/file/', true],
  ['**/dir', 'dir', true],
  ['**/dir', 'dir/file', true],
  ['**/dir2/*', 'dir/dir2/file', true],
  ['**/dir2/*', 'dir/dir2/file/', true],
  ['**/dir2/**', 'dir/dir2/dir3/file', true],
  ['**/dir2/**', 'dir/dir2/dir3/file/', true],
  ['**file', 'file', true],
  ['**file', 'dir/file', true],
  ['**/file', 'dir/file', true],
  ['**file', 'dir/dir/file', true],
  ['**/file', 'dir/dir/file', true],
  ['**/file*', 'dir/dir/file', true],
  ['**/file*', 'dir/dir/file.txt', true],
  ['**/file*txt', 'dir/dir/file.txt', true],
  ['**/file*.txt', 'dir/dir/file.txt', true],
  ['**/file*.txt*', 'dir/dir/file.txt', true],
  ['**/**/*.txt', 'dir/dir/file.txt', true],
  ['**/**/*.txt2', 'dir/dir/file.txt', false],
  ['**/*.txt', 'file.txt', true],
  ['**/**/*.txt', 'file.txt', true],
  ['a**/*.txt', 'a/file.txt', true],
  ['a**/*.txt', 'a/dir/file.txt', true],
  ['a**/*.txt', 'a/dir/dir/file.txt', true],
  ['a/*.txt', 'a/dir/file.txt', false],
  ['a/*.txt', 'a/file.txt', true],
  ['a/*.txt**', 'a/file.txt', true],
  ['a[b-d]e', 'ae', false],
  ['a[b-d]e', 'ace', true],
  ['a[b-d]e', 'aae', false],
  ['a[^b-d]e', 'aze', true],
  ['.*', '.foo', true],
  ['.*', 'foo', false],
  ['abc.def', 'abcdef', false],
  ['abc.def', 'abc.def', true],
  ['abc.def', 'abcZdef', false],
  ['abc?def', 'abcZdef', true],
  ['abc?def', 'abcdef', false],
  ['a\\\\', 'a\\', true],
  ['**/foo/bar', 'foo/bar', true],
  ['**/foo/bar', 'dir/foo/bar', true],
  ['**/foo/bar', 'dir/dir2/foo/bar', true],
  ['abc/**', 'abc', false],
  ['abc/**', 'abc/def', true],
  ['abc/**', 'abc/def/ghi', true],
  ['**/.foo', '.foo', true],
  ['**/.foo', 'bar.foo', false],
  ['a(b)c/def', 'a(b)c/def', true],
  ['a(b)c/def', 'a(b)c/xyz', false],
  ['a.|)$(}+{bc', 'a.|)$(}+{bc', true],
  ['dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', true],
  ['dist/*.whl', 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', true],
  ['a\\*b', 'a*b', true],
  // leading "./" and trailing "/" are cleaned away; a leading "/" is not (ignorefile strips it)
  ['./docs', 'docs/x.md', true],
  ['docs/', 'docs/x.md', true],
  ['/docs', 'docs/x.md', false],
  ['docs/../src', 'src/a.ts', true],
  // a directory pattern excludes everything below it, at any depth
  ['node_modules', 'node_modules/a/b/c.js', true],
  ['*/node_modules', 'pkg/node_modules/x', true],
  ['*/node_modules', 'node_modules/x', false],
  // non-ASCII: '?' is one character, not one byte
  ['caf?', 'café', true],
  ['a?b', 'a☺b', true],
  ['a???b', 'a☺b', false],
  ['[a-ζ]*', 'α', true],
  ['*[a-ζ]', 'A', false],
  ['a?b', 'a/b', false],
  ['a*b', 'a/b', false],
];

/** [patterns, path, matches]: later patterns override earlier ones, '!' re-includes. */
const MULTI: [string[], string, boolean][] = [
  [['**', '!util/docker/web'], 'util/docker/web/foo', false],
  [['**', '!util/docker/web', 'util/docker/web/foo'], 'util/docker/web/foo', true],
  [['**', '!dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl'], 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', false],
  [['**', '!dist/*.whl'], 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', false],
  [['*.go', '!fileutils.go'], 'fileutils.go', false],
  [['!fileutils.go', '*.go'], 'fileutils.go', true],
  [['docs', '!docs/README.md'], 'docs/README.md', false],
  [['docs/', '!docs/README.md'], 'docs/README.md', false],
  [['docs/*', '!docs/README.md'], 'docs/README.md', false],
  [['docs', '!docs/README.md'], 'docs/other.md', true],
  [['*', '!keep', 'keep/tmp'], 'keep/tmp/x', true],
  [['*', '!keep', 'keep/tmp'], 'keep/src/x', false],
];

test('single-pattern table (MatchesOrParentMatches)', () => {
  for (const [pattern, path, want] of SINGLE) {
    assert.equal(compilePatterns([pattern]).matchesOrParentMatches(path), want, `${pattern} vs ${path}`);
  }
});

test('multi-pattern table: order and "!" re-includes', () => {
  for (const [patterns, path, want] of MULTI) {
    assert.equal(compilePatterns(patterns).matchesOrParentMatches(path), want, `${patterns} vs ${path}`);
  }
});

/** Walks path's ancestors like fsutil does, feeding each level's MatchInfo to the next. */
function walkMatch(patterns: string[], path: string, withContext: boolean): boolean {
  const pm = compilePatterns(patterns);
  const parts = path.split('/');
  let info: readonly boolean[] | undefined;
  if (withContext) for (let i = 1; i < parts.length; i++) info = pm.matchesUsingParentResults(parts.slice(0, i).join('/'), info).info;
  return pm.matchesUsingParentResults(path, info).matched;
}

test('matchesUsingParentResults agrees with the tables, with and without parent context', () => {
  for (const [pattern, path, want] of SINGLE) {
    assert.equal(walkMatch([pattern], path, true), want, `${pattern} vs ${path} (walk)`);
    assert.equal(walkMatch([pattern], path, false), want, `${pattern} vs ${path} (no context)`);
  }
  for (const [patterns, path, want] of MULTI) {
    assert.equal(walkMatch(patterns, path, true), want, `${patterns} vs ${path} (walk)`);
  }
});

/** Go filepath.Match's table as patternmatcher replays it through Matches(); null = bad pattern. */
const GLOB: [string, string, boolean | null][] = [
  ['abc', 'abc', true],
  ['*', 'abc', true],
  ['*c', 'abc', true],
  ['a*', 'a', true],
  ['a*', 'abc', true],
  ['a*', 'ab/c', true],
  ['a*/b', 'abc/b', true],
  ['a*/b', 'a/c/b', false],
  ['a*b*c*d*e*/f', 'axbxcxdxe/f', true],
  ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
  ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false],
  ['a*b*c*d*e*/f', 'axbxcxdxexxx/fff', false],
  ['a*b?c*x', 'abxbbxdbxebxczzx', true],
  ['a*b?c*x', 'abxbbxdbxebxczzy', false],
  ['ab[c]', 'abc', true],
  ['ab[b-d]', 'abc', true],
  ['ab[e-g]', 'abc', false],
  ['ab[^c]', 'abc', false],
  ['ab[^b-d]', 'abc', false],
  ['ab[^e-g]', 'abc', true],
  ['a\\*b', 'a*b', true],
  ['a\\*b', 'ab', false],
  ['a[^a]b', 'a☺b', true],
  ['a[^a][^a][^a]b', 'a☺b', false],
  ['[\\]a]', ']', true],
  ['[\\-]', '-', true],
  ['[x\\-]', 'x', true],
  ['[x\\-]', '-', true],
  ['[x\\-]', 'z', false],
  ['[\\-x]', 'x', true],
  ['[\\-x]', '-', true],
  ['[\\-x]', 'a', false],
  ['[]a]', ']', null],
  ['[-]', '-', null],
  ['[x-]', 'x', null],
  ['[-x]', 'x', null],
  ['\\', 'a', null],
  ['[a-b-c]', 'a', null],
  ['[', 'a', null],
  ['[^', 'a', null],
  ['[^bc', 'a', null],
  ['a[', 'a', null],
  ['a[', 'ab', null],
  ['*x', 'xxx', true],
];

test('filepath.Match table through the legacy matches()', () => {
  for (const [pattern, path, want] of GLOB) {
    if (want === null) {
      assert.throws(() => compilePatterns([pattern]), PatternError, pattern);
      continue;
    }
    assert.equal(compilePatterns([pattern]).matches(path), want, `${pattern} vs ${path}`);
  }
});

test('legacy matches() only looks one parent level deep, like upstream', () => {
  assert.equal(compilePatterns(['a']).matches('a/b/c'), true);
  assert.equal(compilePatterns(['*/b']).matches('x/b/c/d'), true);
  assert.equal(compilePatterns(['b']).matches('a/b/c'), false);
  assert.equal(compilePatterns(['a/b']).matchesOrParentMatches('a/b/c/d'), true);
});

test('bad glob syntax throws PatternError naming the pattern when the matcher is made', () => {
  for (const bad of ['[', 'a[', '[^bc', 'x\\', '!', ' ! ']) {
    assert.throws(
      () => compilePatterns(['ok', bad]),
      (e: unknown) => e instanceof PatternError && e.message.includes(JSON.stringify(bad)),
      bad,
    );
  }
});

test('the matcher checks glob syntax as filepath.Match(p, ".") does: up to the first chunk that cannot match "."', () => {
  for (const ok of ['a*[', 'a*\\', 'a*/[x\\]', 'x?*[']) assert.doesNotThrow(() => compilePatterns([ok]), ok);
  for (const bad of ['*[', '.*[', '?*[', '[.]*[', 'x/[x\\]']) assert.throws(() => compilePatterns([bad]), PatternError, bad);
  // "a*\": the trailing backslash escapes the $ that closes patternmatcher's regexp, so it is unanchored
  const pm = compilePatterns(['a*\\']);
  assert.deepEqual(['a', 'ab', 'a$x'].map((p) => pm.matchesOrParentMatches(p)), [false, false, true]);
});

test("a pattern whose Go regexp is invalid fails where it is first evaluated, as patternmatcher's lazy compile", () => {
  for (const bad of ['[z-a]', '\\q', 'a\\1b', '[[:nope:]]']) {
    const named = (e: unknown) => e instanceof PatternError && e.message.includes(JSON.stringify(bad));
    assert.throws(() => compilePatterns(['ok', bad]).matchesOrParentMatches('x'), named, bad);
    assert.throws(() => compilePatterns([bad]).matchesUsingParentResults('x'), named, bad);
    // never evaluated: a re-include while nothing is excluded, or an exclude after everything is
    assert.equal(compilePatterns(['ok', '!' + bad]).matchesOrParentMatches('x'), false, bad);
    assert.equal(compilePatterns(['*', bad]).matchesUsingParentResults('x').matched, true, bad);
  }
  // the failure is kept: a second evaluation fails the same way
  const pm = compilePatterns(['a\\yb']);
  assert.throws(() => pm.matchesOrParentMatches('a'), PatternError);
  assert.throws(() => pm.matchesOrParentMatches('a'), /invalid escape sequence/);
});

test('whitespace is trimmed, empty patterns are skipped, exclusions are reported', () => {
  const pm = compilePatterns(['  docs ', '', '   ', ' !docs/README.md ']);
  assert.deepEqual(pm.patterns, [
    { text: 'docs', exclusion: false },
    { text: 'docs/README.md', exclusion: true },
  ]);
  assert.equal(pm.hasExclusions, true);
  assert.equal(compilePatterns(['a', 'b']).hasExclusions, false);
  assert.equal(compilePatterns([]).matchesOrParentMatches('anything'), false);
});

test("upstream's regexp quirks are reproduced: raw |, {n}, RE2 classes and escapes", () => {
  // '|' and '{}' are meant to be escaped but reach Go's regexp raw (escapeBytes overflow)
  const alt = compilePatterns(['*.go|*.ts']);
  assert.equal(alt.matchesOrParentMatches('a.go'), true);
  assert.equal(alt.matchesOrParentMatches('x/b.ts'), true);
  assert.equal(compilePatterns(['a|b']).matchesOrParentMatches('a'), false, 'no glob char: exact compare');
  assert.equal(compilePatterns(['?{2}']).matchesOrParentMatches('ab'), true);
  assert.equal(compilePatterns(['?{2}']).matchesOrParentMatches('abc'), false);
  assert.equal(compilePatterns(['*.{a,b}']).matchesOrParentMatches('x.{a,b}'), true);
  assert.equal(compilePatterns(['[[:digit:]]*']).matchesOrParentMatches('1abc'), true);
  assert.equal(compilePatterns(['[[:digit:]]*']).matchesOrParentMatches('abc'), false);
  assert.equal(compilePatterns(['\\d*']).matchesOrParentMatches('7up'), true);
  assert.equal(compilePatterns(['\\pL?']).matchesOrParentMatches('éx'), true);
  assert.equal(compilePatterns(['\\pL?']).matchesOrParentMatches('1x'), false);
  assert.equal(compilePatterns(['\\x41*']).matchesOrParentMatches('Abc'), true);
  assert.equal(compilePatterns(['[!a]*']).matchesOrParentMatches('!x'), true, "'!' is no negation in a class");
  assert.equal(compilePatterns(['[!a]*']).matchesOrParentMatches('bx'), false);
  assert.equal(compilePatterns(['*\\.*']).matchesOrParentMatches('a.b'), true);
  assert.equal(compilePatterns(['a\\ b*']).matchesOrParentMatches('a bc'), true);
});

test('cleanPath follows Go filepath.Clean', () => {
  const cases: [string, string][] = [
    ['', '.'],
    ['a/', 'a'],
    ['./a/./b/', 'a/b'],
    ['a//b', 'a/b'],
    ['a/../..', '..'],
    ['/../a', '/a'],
    ['/', '/'],
    ['../a/../b', '../b'],
  ];
  for (const [input, want] of cases) assert.equal(cleanPath(input), want, input);
});

test('parseIgnoreFile follows ignorefile.ReadAll', () => {
  const text = '\uFEFF# comment\n  /abs/path  \n!/keep\r\n\n ! spaced \n./rel/\n #not comment\n/\n';
  assert.deepEqual(parseIgnoreFile(text), ['abs/path', '!keep', '!spaced', 'rel', '#not comment', '/']);
});
