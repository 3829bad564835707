import { describe, expect, it } from '@jest/globals';
import { acceptsPackage, packageOptions } from './package-options.js';
import { parseEndpointProperties } from './properties-file.js';

describe('package properties file', () => {
  it('reads Java properties: escapes, either separator, comments, continued lines', () => {
    const text = [
      '# endpoints',
      '! also a comment',
      'http\\://a.example\\:8080/v1=https\\://a.target/v1',
      'http://b.example:9000 = https://b.target',
      'http://c.example/x: https://c.target',
      'http://d.example=\\',
      '    https://d.target',
      '',
    ].join('\r\n');
    expect(parseEndpointProperties(text)).toEqual({
      'http://a.example:8080/v1': 'https://a.target/v1',
      'http://b.example:9000': 'https://b.target',
      'http://c.example/x': 'https://c.target',
      'http://d.example': 'https://d.target',
    });
  });

  it('refuses lines that map no URL to a URL, naming the line', () => {
    expect(() => parseEndpointProperties('# fine\nplain words')).toThrow('line 2 has no "="');
    expect(() => parseEndpointProperties('http://a=ftp://b')).toThrow('line 1 must map an http(s) URL');
  });
});

describe('package export options', () => {
  it('are off unless asked for, except services and download', () => {
    expect(packageOptions({})).toEqual({ operationalPolicies: false, qosPolicies: false, pki: false, scopes: false, resources: false, connections: false, admins: false, services: true, download: true });
    expect(packageOptions({ 'migration.export.include.services': 'false', 'migration.pki.export': 'TRUE' })).toMatchObject({ services: false, pki: true });
    expect(() => packageOptions({ download: 'no' })).toThrow('download must be true or false');
  });

  it('accept: the zip, anything, or no header', () => {
    expect(acceptsPackage(undefined)).toBe(true);
    expect(acceptsPackage('application/json, */*;q=0.1')).toBe(true);
    expect(acceptsPackage('application/octet-stream')).toBe(true);
    expect(acceptsPackage('application/json')).toBe(false);
  });
});
