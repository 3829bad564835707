import type { JobKind } from '#jobs';
import type { DeploymentResult, ProxyDeployer } from '../deployments/proxy-deployer.js';
import type { JobContext } from '../job-handler.js';

/** The environments an archived proxy was deployed on (its exported deployment state). */
export function deployedEnvironments(raw: Record<string, unknown>): string[] {
  const deployments = Array.isArray(raw.deployments) ? (raw.deployments as { environment?: unknown; status?: unknown }[]) : [];
  return deployments.filter((d) => d.status === 'deployed' && typeof d.environment === 'string').map((d) => d.environment as string);
}

/**
 * preserveAssetState: each imported proxy is deployed where the archive says it was
 * deployed (`report.assetState`: proxy uuid → environments), one environment at a time; an
 * environment the project lacks is reported failed. The import itself stays.
 */
export async function restoreAssetState(
  deployer: ProxyDeployer,
  context: JobContext<JobKind.ArchiveImport>,
  report: Record<string, unknown>,
  proxyUuids: string[],
): Promise<Record<string, unknown>> {
  const { payload } = context;
  const state = (report.assetState ?? {}) as Record<string, string[]>;
  const byEnvironment = new Map<string, string[]>();
  for (const uuid of proxyUuids) for (const env of state[uuid] ?? []) byEnvironment.set(env, [...(byEnvironment.get(env) ?? []), uuid]);
  const environments = [...byEnvironment.keys()].sort();
  await context.progress('deploying', 0, environments.length);
  const environmentResults: DeploymentResult['environmentResults'] = [];
  for (const environment of environments) {
    const result = await deployer.run('deploy', {
      jobId: context.job.id,
      projectId: payload.projectId,
      projectName: payload.projectName,
      proxyUuids: byEnvironment.get(environment) as string[],
      environments: [environment],
    });
    environmentResults.push(...result.environmentResults);
    await context.progress('deploying', environmentResults.length, environments.length);
  }
  const failed = environmentResults.filter((r) => !r.success);
  const deploymentResult: DeploymentResult = {
    success: failed.length === 0,
    message:
      environments.length === 0
        ? 'No imported API proxy was deployed in the archive, so nothing was deployed.'
        : failed.length === 0
          ? `Restored the deployment state on ${environments.length} environment(s).`
          : `Restoring the deployment state failed on ${failed.map((r) => `${r.environmentName} (${r.message})`).join('; ')}`,
    environmentResults,
  };
  return { ...report, deployment: { status: deploymentResult.success ? 'deployed' : 'failed', environments }, deploymentResult };
}
