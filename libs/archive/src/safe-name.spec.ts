import { describe, expect, it } from '@jest/globals';
import { entryPathProblem } from './entry-path.js';
import { SafeNameAllocator, safeName, truncateUtf8 } from './safe-name.js';

describe('safeName', () => {
  it.each([
    ['Pets API', 'Pets API'],
    ['a/b\\c', 'a_b_c'],
    ['../../etc/passwd', '____etc_passwd'],
    ['..', '_'],
    ['.', '_'],
    ['', '_'],
    ['   ', '_'],
    ['v1..2', 'v1_2'],
    ['name.', 'name_'],
    ['tab\there\u0000nul\u007fdel\u0085nel', 'tab_here_nul_del_nel'],
    ['C:evil', 'C_evil'],
    ['what?*<>|"', 'what______'],
    ['con', '_con'],
    ['LPT1.json', '_LPT1.json'],
    ['.hidden', '.hidden'],
    ['e\u0301', '\u00e9'],
  ])('%j becomes %j', (input, expected) => {
    expect(safeName(input)).toBe(expected);
  });

  it('keeps at most 100 UTF-8 bytes, cut on a character boundary', () => {
    const name = safeName('é'.repeat(80) + '😀'.repeat(10));
    expect(Buffer.byteLength(name, 'utf8')).toBeLessThanOrEqual(100);
    expect(name).toBe('é'.repeat(50));
    const emoji = safeName('a' + '😀'.repeat(30));
    expect(emoji).toBe('a' + '😀'.repeat(24));
    expect(emoji.isWellFormed()).toBe(true);
  });

  it('turns lone surrogates into replacement characters rather than invalid UTF-8', () => {
    expect(safeName('a\ud800b')).toBe('a\ufffdb');
  });

  it('always yields a safe single path segment', () => {
    const samples = ['../x', 'a/../b', 'C:\\x', '\u0000', '/abs', '..\\..', 'x'.repeat(500), ' . ', 'a:b'];
    for (const sample of samples) {
      const name = safeName(sample);
      expect(entryPathProblem(`apiProxies/${name}.json`)).toBeUndefined();
      expect(name).not.toContain('/');
      expect(safeName(name)).toBe(name);
    }
  });
});

describe('truncateUtf8', () => {
  it('never splits a multi-byte character', () => {
    expect(truncateUtf8('aé', 2)).toBe('a');
    expect(truncateUtf8('aé', 3)).toBe('aé');
    expect(truncateUtf8('😀', 3)).toBe('');
  });
});

describe('SafeNameAllocator', () => {
  it('suffixes collisions case-insensitively: name, name~2, name~3', () => {
    const names = new SafeNameAllocator();
    expect(names.allocate('Pets')).toBe('Pets');
    expect(names.allocate('pets')).toBe('pets~2');
    expect(names.allocate('PETS')).toBe('PETS~3');
    expect(names.allocate('other')).toBe('other');
  });

  it('counts names that only sanitise alike as collisions', () => {
    const names = new SafeNameAllocator();
    expect(names.allocate('a/b')).toBe('a_b');
    expect(names.allocate('a\\b')).toBe('a_b~2');
    expect(names.allocate('a_b')).toBe('a_b~3');
  });

  it('skips a suffix another name already took', () => {
    const names = new SafeNameAllocator();
    expect(names.allocate('x~2')).toBe('x~2');
    expect(names.allocate('x')).toBe('x');
    expect(names.allocate('x')).toBe('x~3');
  });

  it('puts the suffix before the extension and keeps the bound', () => {
    const names = new SafeNameAllocator();
    expect(names.allocate('readme', '.md')).toBe('readme.md');
    expect(names.allocate('README', '.md')).toBe('README~2.md');
    const long = 'n'.repeat(150);
    expect(names.allocate(long)).toBe('n'.repeat(100));
    expect(names.allocate(long)).toBe('n'.repeat(98) + '~2');
  });

  it('honours reserved names', () => {
    const names = new SafeNameAllocator(undefined, ['manifest.json']);
    expect(names.allocate('Manifest', '.json')).toBe('Manifest~2.json');
  });

  it('keeps each directory apart: the same name in two directories is no collision', () => {
    const names = new SafeNameAllocator(undefined, ['manifest.json']);
    expect(names.allocate('pets', '', 'apiProxy')).toBe('pets');
    expect(names.allocate('Pets', '', 'apiProxy')).toBe('Pets~2');
    expect(names.allocate('pets', '', 'resources/pets')).toBe('pets');
    expect(names.allocate('pets', '', 'resources/Pets~2')).toBe('pets');
    expect(names.allocate('manifest', '.json', 'apiProxy')).toBe('manifest.json');
    expect(names.allocate('manifest', '.json')).toBe('manifest~2.json');
    // A directory that looks like another's name plus a separator is still its own.
    expect(names.allocate('b', '', 'a')).toBe('b');
    expect(names.allocate('a/b')).toBe('a_b');
  });

  it('stays linear for many equal names', () => {
    const names = new SafeNameAllocator();
    const started = Date.now();
    for (let index = 0; index < 20000; index++) names.allocate('same');
    expect(names.allocate('same')).toBe('same~20001');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('entryPathProblem', () => {
  it.each([
    ['apiProxies/pets.json', undefined],
    ['manifest.json', undefined],
    ['resources/pets/docs/readme.md', undefined],
    ['../evil.json', "the name has a '..' path segment"],
    ['a/./b', "the name has a '.' path segment"],
    ['a//b', 'the name has an empty path segment'],
    ['/etc/x', 'the name is an absolute path'],
    ['\\\\server\\share', 'the name is an absolute path'],
    ['C:\\x', 'the name starts with a drive letter'],
    ['c:x', 'the name starts with a drive letter'],
    ['a\\b', 'the name contains a backslash'],
    ['ab:c', 'the name contains a colon'],
    ['a\u0000b', 'the name contains a control character'],
    ['a\u009bb', 'the name contains a control character'],
    ['', 'the name is empty'],
    ['dir/', 'the name has an empty path segment'],
  ])('%j: %s', (path, problem) => {
    expect(entryPathProblem(path)).toBe(problem);
  });

  it('allows one trailing slash on a directory entry', () => {
    expect(entryPathProblem('apiProxies/', { directory: true })).toBeUndefined();
    expect(entryPathProblem('apiProxies//', { directory: true })).toBe('the name has an empty path segment');
  });
});
