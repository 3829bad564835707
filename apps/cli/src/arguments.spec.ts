import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError } from 'commander';
import { parseConflicts, parseGrant, parseInclude, passphraseFrom } from './arguments.js';
import { UsageError } from './cli-error.js';

describe('option values', () => {
  it('conflicts: one word for every type, or TYPE=POLICY pairs', () => {
    expect(parseConflicts('keep')).toBe('keep');
    expect(parseConflicts('apiProxy=overwrite,policy=keep')).toEqual({ apiProxy: 'overwrite', policy: 'keep' });
    for (const bad of ['sometimes', 'apiProxy=maybe', 'gadget=keep', 'apiProxy=keep,apiProxy=fail', 'apiProxy']) {
      expect(() => parseConflicts(bad)).toThrow(InvalidArgumentError);
    }
  });

  it('include: named flags on, no-NAME off, unknown names refused', () => {
    expect(parseInclude('applications,resources')).toEqual({ applications: true, resources: true });
    expect(parseInclude('no-scopes', { resources: true })).toEqual({ resources: true, scopes: false });
    expect(() => parseInclude('everything')).toThrow(InvalidArgumentError);
  });

  it('grant: the project is what precedes the first colon; short permission names expand', () => {
    expect(parseGrant('payments:API_MANAGEMENT:EXPORT_IMPORT')).toEqual([{ project: 'payments', permission: 'API_MANAGEMENT:EXPORT_IMPORT' }]);
    expect(parseGrant('billing:DEPLOY_UNDEPLOY', [{ project: 'a', permission: 'PROJECT_ADMIN' }])).toEqual([
      { project: 'a', permission: 'PROJECT_ADMIN' },
      { project: 'billing', permission: 'API_MANAGEMENT:DEPLOY_UNDEPLOY' },
    ]);
    expect(() => parseGrant('payments')).toThrow(InvalidArgumentError);
    expect(() => parseGrant('payments:ROOT')).toThrow(InvalidArgumentError);
  });

  it('passphrases come only from the named environment variable', () => {
    expect(passphraseFrom(undefined, {})).toBeUndefined();
    expect(passphraseFrom('MY_PASSPHRASE', { MY_PASSPHRASE: 'secret words' })).toBe('secret words');
    expect(() => passphraseFrom('MY_PASSPHRASE', {})).toThrow(UsageError);
    expect(() => passphraseFrom('correct horse', { 'correct horse': 'x' })).toThrow(/name of an environment variable/);
  });
});
