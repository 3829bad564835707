import { describe, expect, it } from '@jest/globals';
import { Output } from '../output/output.js';
import { deploymentTable, reportDeployment } from './deployment-summary.js';

function capture() {
  const err: string[] = [];
  const out: string[] = [];
  const output = new Output('text', { write: (s: string) => out.push(s) > 0 }, { write: (s: string) => err.push(s) > 0 });
  return { output, err, out };
}

describe('deployment results', () => {
  const mixed = {
    success: false,
    message: 'Deployment failed on 1 of 2 environment(s): bad',
    environmentResults: [
      { environmentName: 'good', success: true, message: 'deployed revision 1' },
      { environmentName: 'bad', success: false, message: 'The gateway answered 500: gateway refused' },
    ],
  };

  it('prints one row per environment', () => {
    expect(deploymentTable(mixed).split('\n')).toEqual([
      'ENVIRONMENT  SUCCESS  MESSAGE',
      'good         yes      deployed revision 1',
      'bad          no       The gateway answered 500: gateway refused',
    ]);
  });

  it('exits 1 naming each environment that failed, with its message; 0 when all succeeded', () => {
    const failed = capture();
    expect(reportDeployment(mixed, failed.output)).toBe(1);
    expect(failed.err.join('')).toBe('error: deployment failed on bad: The gateway answered 500: gateway refused\n');
    const ok = capture();
    expect(reportDeployment({ success: true, environmentResults: [mixed.environmentResults[0]] }, ok.output)).toBe(0);
    expect(ok.err).toEqual([]);
    expect(reportDeployment(undefined, capture().output)).toBe(1);
  });
});
