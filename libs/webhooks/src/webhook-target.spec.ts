import { describe, expect, it, jest } from '@jest/globals';
import { AddressPolicy } from './address-policy.js';
import { WebhookTargetGuard, WebhookTargetRefused, type HostLookup } from './webhook-target.js';

function guardWith(answers: Record<string, { address: string; family: number }[]>, allowList: string[] = []) {
  const lookup = jest.fn<HostLookup>(async (host) => {
    const found = answers[host];
    if (!found) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return found;
  });
  return { guard: new WebhookTargetGuard(new AddressPolicy(allowList), lookup), lookup };
}

describe('webhook target guard', () => {
  it('answers the URL with the one address it checked, to connect to exactly that', async () => {
    const { guard } = guardWith({ 'hooks.example.com': [{ address: '93.184.215.14', family: 4 }] });
    const target = await guard.check('https://hooks.example.com/in?x=1');
    expect(target).toMatchObject({ address: '93.184.215.14', family: 4 });
    expect(target.url.href).toBe('https://hooks.example.com/in?x=1');
  });

  it('refuses a host when any of its addresses is private (a mixed answer is not trusted)', async () => {
    const { guard } = guardWith({ 'rebind.example.com': [{ address: '93.184.215.14', family: 4 }, { address: '10.0.0.7', family: 4 }] });
    await expect(guard.check('http://rebind.example.com/')).rejects.toThrow(/resolves to 10\.0\.0\.7.*private/);
  });

  it('checks IP literals without any DNS lookup, IPv6 in brackets and IPv4-mapped forms included', async () => {
    const { guard, lookup } = guardWith({});
    await expect(guard.check('http://10.0.0.1/hook')).rejects.toBeInstanceOf(WebhookTargetRefused);
    await expect(guard.check('http://169.254.169.254/')).rejects.toThrow(/link-local/);
    await expect(guard.check('http://[::1]:8080/')).rejects.toThrow(/loopback/);
    await expect(guard.check('http://[::ffff:10.0.0.1]/')).rejects.toThrow(/private/);
    expect(lookup).not.toHaveBeenCalled();
  });

  it('passes allow-listed addresses, by name or literal', async () => {
    const { guard } = guardWith({ localhost: [{ address: '127.0.0.1', family: 4 }] }, ['127.0.0.1']);
    await expect(guard.check('http://localhost:9999/x')).resolves.toMatchObject({ address: '127.0.0.1' });
    await expect(guard.check('http://127.0.0.1:9999/x')).resolves.toMatchObject({ address: '127.0.0.1' });
  });

  it('refuses other schemes, credentials, fragments and names that do not resolve', async () => {
    const { guard } = guardWith({});
    await expect(guard.check('ftp://example.com/')).rejects.toThrow(/http or https/);
    await expect(guard.check('https://user:pw@example.com/')).rejects.toThrow(/user name or password/);
    await expect(guard.check('https://example.com/#x')).rejects.toThrow(/fragment/);
    await expect(guard.check('https://nowhere.invalid/')).rejects.toThrow(/could not be resolved \(ENOTFOUND\)/);
    await expect(guard.check('not a url')).rejects.toThrow(/not a valid absolute URL/);
  });
});
