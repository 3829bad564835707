import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { ExitCode } from './cli-error.js';
import { readOverrides } from './overrides-file.js';

describe('overrides files', () => {
  let dir: string;
  const write = async (name: string, text: string) => {
    await writeFile(join(dir, name), text);
    return join(dir, name);
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'apiferry-overrides-spec-'));
  });

  const good = { endpointMap: { 'http://a': 'https://b' }, maintenanceMode: false, routing: { algorithm: 'RANDOM', addressList: [{ address: 'http://c' }] } };

  it('reads YAML: mappings, lists, comments and anchors', async () => {
    const yaml = [
      '# production',
      'endpointMap:',
      '  "http://a": https://b',
      'maintenanceMode: false',
      'routing:',
      '  algorithm: RANDOM',
      '  addressList:',
      '    - address: http://c',
    ].join('\n');
    expect(await readOverrides(await write('prod.yaml', yaml))).toEqual(good);
    expect(await readOverrides(await write('prod.yml', 'maintenanceMode: true\n'))).toEqual({ maintenanceMode: true });
  });

  it('reads strict JSON from a .json file', async () => {
    expect(await readOverrides(await write('good.json', JSON.stringify(good, null, 2)))).toEqual(good);
    // A trailing comma is fine for YAML's flow style but not for JSON.
    await expect(readOverrides(await write('comma.json', '{\n  "maintenanceMode": true,\n}'))).rejects.toThrow(/comma\.json:3: not valid JSON/);
  });

  it('names the file and the line of each mistake, as a usage error', async () => {
    const cases: [string, string, RegExp][] = [
      ['extra.yaml', 'maintenanceMode: true\ndeploy: true\n', /extra\.yaml:2: unknown field "deploy"; the fields are routing, maintenanceMode, endpointMap$/],
      ['yes.yaml', 'endpointMap: {}\nmaintenanceMode: yes\n', /yes\.yaml:2: "maintenanceMode" must be true or false, not "yes"$/],
      ['map.yaml', 'endpointMap:\n  "http://a": https://b\n  "http://c": 8080\n', /map\.yaml:3: "endpointMap" maps "http:\/\/c" to 8080/],
      ['routing.yaml', '\n\nrouting: RANDOM\n', /routing\.yaml:3: "routing" must be a mapping/],
      ['list.yaml', '- endpointMap: {}\n', /list\.yaml:1: must hold a mapping/],
      ['broken.yaml', 'endpointMap:\n  a: [b\nrouting: {}\n', /broken\.yaml:\d+: not valid YAML: /],
      ['twice.yaml', 'maintenanceMode: true\nmaintenanceMode: false\n', /twice\.yaml:2: not valid YAML: .*unique/i],
      ['empty.yaml', '# nothing here\n', /empty\.yaml: is empty/],
      ['map.json', '{\n  "endpointMap": {\n    "http://a": 1\n  }\n}', /map\.json:3: "endpointMap" maps "http:\/\/a" to 1/],
    ];
    for (const [name, text, message] of cases) {
      const error = await readOverrides(await write(name, text)).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toMatchObject({ exitCode: ExitCode.Usage, message: expect.stringMatching(message) });
    }
    await expect(readOverrides(join(dir, 'missing.yaml'))).rejects.toThrow(/missing\.yaml: no such file/);
  });

  it('refuses alias bombs', async () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'endpointMap: {}'].join('\n');
    await expect(readOverrides(await write('bomb.yaml', bomb))).rejects.toThrow(/bomb\.yaml:1: unknown field "a"/);
    const hidden = ['endpointMap:', '  x: &a [y, y]', 'routing: {r: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]}'].join('\n');
    await expect(readOverrides(await write('hidden.yaml', hidden))).rejects.toMatchObject({ exitCode: ExitCode.Usage });
  });
});
