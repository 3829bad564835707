import { Inject, Injectable } from '@nestjs/common';
import { JobKind } from '#jobs';
import { ProxyDeployer, type DeploymentAction } from '../deployments/proxy-deployer.js';
import type { JobContext, JobHandler } from '../job-handler.js';

async function runDeployment(deployer: ProxyDeployer, action: DeploymentAction, context: JobContext<JobKind.ProxyDeploy | JobKind.ProxyUndeploy>) {
  const { payload } = context;
  await context.progress(action === 'deploy' ? 'deploying' : 'undeploying', 0, payload.environments.length);
  const deploymentResult = await deployer.run(action, {
    jobId: context.job.id,
    projectId: payload.projectId,
    projectName: payload.projectName,
    proxyUuids: [payload.proxyUuid],
    environments: payload.environments,
  });
  await context.progress(action === 'deploy' ? 'deploying' : 'undeploying', payload.environments.length, payload.environments.length);
  return { proxy: { uuid: payload.proxyUuid, name: payload.proxyName }, deploymentResult };
}

/** Deploys one proxy to environments; the job succeeds with per-environment results, even when a gateway refused. */
@Injectable()
export class ProxyDeployHandler implements JobHandler<JobKind.ProxyDeploy> {
  readonly kind = JobKind.ProxyDeploy;

  constructor(@Inject(ProxyDeployer) private readonly deployer: ProxyDeployer) {}

  run(context: JobContext<JobKind.ProxyDeploy>): Promise<Record<string, unknown>> {
    return runDeployment(this.deployer, 'deploy', context);
  }
}

/** Takes one proxy off environments; a successful undeploy removes its deployment record. */
@Injectable()
export class ProxyUndeployHandler implements JobHandler<JobKind.ProxyUndeploy> {
  readonly kind = JobKind.ProxyUndeploy;

  constructor(@Inject(ProxyDeployer) private readonly deployer: ProxyDeployer) {}

  run(context: JobContext<JobKind.ProxyUndeploy>): Promise<Record<string, unknown>> {
    return runDeployment(this.deployer, 'undeploy', context);
  }
}
