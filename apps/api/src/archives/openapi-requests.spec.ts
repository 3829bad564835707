import { describe, expect, it } from '@jest/globals';
import { parseConflictPolicies, ValidationError } from '#core';
import type { ExportRequestDto } from './export-request.dto.js';
import type { ImportOptionsDto } from './import-request.dto.js';
import { checkExportFormatOptions, openApiImportModes } from './openapi-requests.js';

function refusal(run: () => unknown): { message: string; pointers: string[] } {
  try {
    run();
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return { message: err.message, pointers: err.errors.map((e) => e.pointer) };
  }
  throw new Error('expected a ValidationError');
}

const modes = (options: ImportOptionsDto) => openApiImportModes(options, parseConflictPolicies(options.conflicts));

describe('export format options', () => {
  it('accepts each format with its own options and a file name that says what it holds', () => {
    for (const dto of [
      {},
      { format: 'archive', passphrase: 'long enough', fileName: 'x.zip' },
      { format: 'openapi', oasVersion: '2.0', type: 'yaml', define: 'spec', version: '1', environment: 'prod', fileName: 'x.yml' },
      { format: 'openapi', fileName: 'x.json' },
    ] as ExportRequestDto[]) {
      expect(() => checkExportFormatOptions(dto)).not.toThrow();
    }
  });

  it('refuses the options of the other format and a mismatched file name, naming each field', () => {
    expect(refusal(() => checkExportFormatOptions({ format: 'openapi', passphrase: 'long enough', include: {} }))).toEqual({
      message: 'include and passphrase apply to archive exports; an OpenAPI document holds no secrets, applications or resources.',
      pointers: ['/include', '/passphrase'],
    });
    expect(refusal(() => checkExportFormatOptions({ type: 'yaml', environment: 'prod' }))).toEqual({
      message: 'type, environment apply to OpenAPI exports only; add "format": "openapi".',
      pointers: ['/type', '/environment'],
    });
    expect(refusal(() => checkExportFormatOptions({ format: 'openapi', type: 'yaml', fileName: 'x.json' })).pointers).toEqual(['/fileName']);
    expect(refusal(() => checkExportFormatOptions({ format: 'openapi', fileName: 'x.zip' })).message).toBe('fileName must end in .json for this export.');
    expect(refusal(() => checkExportFormatOptions({ fileName: 'x.yaml' })).message).toBe('fileName must end in .zip for this export.');
  });
});

describe('native import options for an OpenAPI document', () => {
  it('maps conflicts.apiProxy onto the APIG modes: fail (default), keep = merge, overwrite = override', () => {
    expect(modes({})).toEqual({ apiMode: 'merge', extendMode: 'merge', failOnConflict: true, dryRun: false });
    expect(modes({ conflicts: 'keep', dryRun: true })).toEqual({ apiMode: 'merge', extendMode: 'merge', failOnConflict: false, dryRun: true });
    expect(modes({ conflicts: { apiProxy: 'overwrite', policy: 'rename' } })).toEqual({ apiMode: 'override', extendMode: 'override', failOnConflict: false, dryRun: false });
    expect(modes({ deploy: false })).toMatchObject({ failOnConflict: true });
  });

  it('refuses rename and the options that only an archive import applies', () => {
    expect(refusal(() => modes({ conflicts: 'rename' })).pointers).toEqual(['/conflicts']);
    expect(refusal(() => modes({ conflicts: { apiProxy: 'rename' } })).pointers).toEqual(['/conflicts/apiProxy']);
    const refused = refusal(() => modes({ deploy: true, deployTargetEnvironmentNameList: ['prod'], endpointMap: {}, passphrase: 'p' }));
    expect(refused.pointers).toEqual(['/endpointMap', '/passphrase', '/deploy', '/deployTargetEnvironmentNameList']);
    expect(refused.message).toContain('apply to archive imports only');
  });
});
