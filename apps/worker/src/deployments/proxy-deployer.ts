import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AssetRepository, DeploymentRepository, EnvironmentRepository } from '#catalog';
import { deployableProxy, DeployDriverRegistry, type DeployableProxy, type DriverOutcome } from '#deploy';
import { LOGGER } from '#observability';
import { WebhookDispatcher } from '#webhooks';

export type DeploymentAction = 'deploy' | 'undeploy';

export interface EnvironmentResult {
  environmentName: string;
  success: boolean;
  message: string;
  /** `unchanged`: that revision was deployed there already, so the gateway was not called. */
  proxies: { uuid: string; name: string; revision: number; success: boolean; message: string; unchanged?: boolean }[];
}

export interface DeploymentResult {
  success: boolean;
  message: string;
  environmentResults: EnvironmentResult[];
}

export interface DeploymentRequest {
  jobId: string;
  projectId: string;
  projectName: string;
  proxyUuids: string[];
  environments: string[];
}

const STATUS_DEPLOYED = 'deployed';
const STATUS_FAILED = 'failed';

/**
 * Deploys (or undeploys) proxies to environments through each environment's driver.
 * Environments run in parallel; within one environment the work holds that environment's
 * advisory lock, so two jobs never push to one gateway at once. The outcome per proxy and
 * environment is recorded in `deployments` and announced as `deployment.completed`.
 */
@Injectable()
export class ProxyDeployer {
  constructor(
    @Inject(AssetRepository) private readonly assets: AssetRepository,
    @Inject(EnvironmentRepository) private readonly environments: EnvironmentRepository,
    @Inject(DeploymentRepository) private readonly deployments: DeploymentRepository,
    @Inject(DeployDriverRegistry) private readonly drivers: DeployDriverRegistry,
    @Inject(WebhookDispatcher) private readonly webhooks: WebhookDispatcher,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async run(action: DeploymentAction, request: DeploymentRequest): Promise<DeploymentResult> {
    const records = await this.assets.findByUuids('apiProxy', request.projectId, request.proxyUuids);
    const proxies = records.map((r) => deployableProxy(r.doc, r.revision ?? 1));
    const environmentResults = await Promise.all(request.environments.map((name) => this.onEnvironment(action, request, name, proxies)));
    const failed = environmentResults.filter((r) => !r.success);
    const verb = action === 'deploy' ? 'Deployed' : 'Undeployed';
    const message =
      failed.length === 0
        ? `${verb} ${proxies.length} API prox${proxies.length === 1 ? 'y' : 'ies'} on ${environmentResults.length} environment(s).`
        : `${action === 'deploy' ? 'Deployment' : 'Undeployment'} failed on ${failed.length} of ${environmentResults.length} environment(s): ${failed
            .map((r) => `${r.environmentName} (${r.message})`)
            .join('; ')}`;
    return { success: failed.length === 0, message, environmentResults };
  }

  private async onEnvironment(action: DeploymentAction, request: DeploymentRequest, environmentName: string, proxies: DeployableProxy[]): Promise<EnvironmentResult> {
    const outcomes: EnvironmentResult['proxies'] = [];
    const env = await this.environments.find(request.projectId, environmentName);
    const driver = env ? this.drivers.get(env.driver) : undefined;
    if (!env || !driver) {
      const message = env ? `No deploy driver "${env.driver}" is available.` : `Environment "${environmentName}" does not exist in project "${request.projectName}".`;
      return { environmentName, success: false, message, proxies: [] };
    }
    const settings = { name: env.name, driver: env.driver, settings: env.settings ?? {} };
    try {
      await this.deployments.withEnvironmentLock(request.projectId, environmentName, async (db) => {
        for (const proxy of proxies) {
          if (action === 'deploy') {
            const current = await this.deployments.find(request.projectId, proxy.uuid, environmentName, db);
            if (current?.status === STATUS_DEPLOYED && current.revision === proxy.revision) {
              const message = `revision ${proxy.revision} is already deployed on ${environmentName}; nothing to do`;
              outcomes.push({ uuid: proxy.uuid, name: proxy.name, revision: proxy.revision, success: true, message, unchanged: true });
              continue;
            }
          }
          const outcome: DriverOutcome = action === 'deploy' ? await driver.deploy(settings, proxy) : await driver.undeploy(settings, proxy);
          if (action === 'deploy') {
            const status = outcome.success ? STATUS_DEPLOYED : STATUS_FAILED;
            await this.deployments.upsert({ projectId: request.projectId, proxyUuid: proxy.uuid, environmentName, revision: proxy.revision, status, message: outcome.message }, db);
          } else if (outcome.success) {
            await this.deployments.delete(request.projectId, proxy.uuid, environmentName, db);
          }
          outcomes.push({ uuid: proxy.uuid, name: proxy.name, revision: proxy.revision, ...outcome });
        }
      });
    } catch (err) {
      // The gateway calls already made stand; only the bookkeeping failed.
      this.log.error({ err, environment: environmentName, jobId: request.jobId }, 'deployment state could not be recorded');
      return { environmentName, success: false, message: `The deployment state could not be recorded: ${(err as Error).message}`, proxies: outcomes };
    }
    for (const outcome of outcomes) {
      await this.webhooks.deploymentCompleted({
        jobId: request.jobId,
        projectId: request.projectId,
        projectName: request.projectName,
        proxy: outcome.name,
        environment: environmentName,
        success: outcome.success,
      });
    }
    const failed = outcomes.filter((o) => !o.success);
    const message =
      outcomes.length === 1
        ? outcomes[0].message
        : failed.length === 0
          ? `${action === 'deploy' ? 'deployed' : 'undeployed'} ${outcomes.length} API proxies`
          : failed.map((o) => `"${o.name}": ${o.message}`).join('; ');
    return { environmentName, success: failed.length === 0, message, proxies: outcomes };
  }
}
