import { describe, expect, it } from '@jest/globals';
import { ExitCode } from '../cli-error.js';
import { requireToken, resolveConnection } from './connection.js';

const config = {
  currentContext: 'staging',
  contexts: { staging: { server: 'https://staging.example', token: 'afy_staging' }, prod: { server: 'https://prod.example/', token: 'afy_prod' } },
};

describe('where the server and token come from', () => {
  it('flags, then an explicitly named context, then the environment, then the current context', () => {
    const env = { APIFERRY_SERVER: 'https://env.example', APIFERRY_TOKEN: 'afy_env' };
    expect(resolveConnection({ server: 'https://flag.example', token: 'afy_flag', context: 'prod' }, env, config)).toMatchObject({ server: 'https://flag.example', token: 'afy_flag' });
    expect(resolveConnection({ context: 'prod' }, env, config)).toMatchObject({ server: 'https://prod.example', token: 'afy_prod' });
    expect(resolveConnection({}, env, config)).toMatchObject({ server: 'https://env.example', token: 'afy_env' });
    expect(resolveConnection({}, {}, config)).toMatchObject({ server: 'https://staging.example', token: 'afy_staging' });
    // Each of the two is looked up on its own: a flag's server with the environment's token.
    expect(resolveConnection({ server: 'https://flag.example' }, env, config)).toMatchObject({ server: 'https://flag.example', token: 'afy_env' });
  });

  it('refuses a missing server or an unknown context as usage errors, a missing token as an auth error', () => {
    expect(() => resolveConnection({}, {}, { contexts: {} })).toThrow(expect.objectContaining({ exitCode: ExitCode.Usage }));
    expect(() => resolveConnection({ context: 'nope' }, {}, config)).toThrow(expect.objectContaining({ exitCode: ExitCode.Usage }));
    expect(() => resolveConnection({ server: 'ftp://x' }, {}, config)).toThrow(/http\(s\) URL/);
    const anonymous = resolveConnection({ server: 'http://127.0.0.1:8080' }, {}, { contexts: {} });
    expect(() => requireToken(anonymous)).toThrow(expect.objectContaining({ exitCode: ExitCode.Auth }));
  });
});
