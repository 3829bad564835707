import { ExitCode } from '../cli-error.js';
import { formatTable } from '../output/format.js';
import type { Output } from '../output/output.js';

export interface EnvironmentResult {
  environmentName: string;
  success: boolean;
  message?: string | null;
}

/** What a `proxy.deploy` / `proxy.undeploy` job (or an import with `deploy: true`) reports. */
export interface DeploymentResult {
  success: boolean;
  message?: string | null;
  environmentResults: EnvironmentResult[];
}

/** One row per environment: environment, success, message. */
export function deploymentTable(result: DeploymentResult): string {
  return formatTable(
    ['ENVIRONMENT', 'SUCCESS', 'MESSAGE'],
    (result.environmentResults ?? []).map((r) => [r.environmentName, r.success ? 'yes' : 'no', r.message ?? '']),
  );
}

export function failedEnvironments(result: DeploymentResult | null | undefined): EnvironmentResult[] {
  return (result?.environmentResults ?? []).filter((r) => !r.success);
}

/**
 * Exit code of a finished deployment: 0 when every environment took the change; otherwise
 * one `error: ...` line per environment that did not, with the gateway's message, and 1.
 */
export function reportDeployment(result: DeploymentResult | null | undefined, output: Output, verb = 'deployment'): ExitCode {
  if (!result) {
    output.stderr.write(`error: the job reported no ${verb} result\n`);
    return ExitCode.Failed;
  }
  const failed = failedEnvironments(result);
  for (const env of failed) output.stderr.write(`error: ${verb} failed on ${env.environmentName}: ${env.message ?? 'no message'}\n`);
  if (!result.success && failed.length === 0) output.stderr.write(`error: ${result.message ?? `${verb} failed`}\n`);
  return result.success && failed.length === 0 ? ExitCode.Done : ExitCode.Failed;
}
