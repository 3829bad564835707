import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { findConsoleRoot } from './console-assets.js';

const repo = process.cwd();
const assets = join(repo, 'apps', 'api', 'console');

describe('findConsoleRoot', () => {
  it('finds apps/api/console from the source tree', () => {
    expect(findConsoleRoot(join(repo, 'apps', 'api', 'src', 'console'))).toBe(assets);
  });

  it('finds apps/api/console from the built layout (dist/apps/api/src/console)', () => {
    expect(findConsoleRoot(join(repo, 'dist', 'apps', 'api', 'src', 'console'))).toBe(assets);
  });

  it('finds nothing where no console was put', () => {
    expect(findConsoleRoot('/proc/self')).toBeUndefined();
  });
});
