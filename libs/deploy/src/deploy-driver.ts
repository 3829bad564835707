/** An environment as a driver sees it: its name and its driver settings. */
export interface DeployEnvironment {
  name: string;
  driver: string;
  settings: Record<string, unknown>;
}

/** The proxy definition a gateway receives: what it needs to serve the proxy, nothing else. */
export interface DeployableProxy {
  uuid: string;
  name: string;
  basePath: string;
  revision: number;
  routing?: unknown;
  endpoints?: unknown;
  policies?: unknown;
  cors?: unknown;
  cache?: unknown;
  maintenanceMode?: unknown;
}

export interface DriverOutcome {
  success: boolean;
  message: string;
}

/**
 * Puts a proxy onto (or takes it off) one environment's gateway. A driver never throws for
 * what the gateway answers: a refusal, an unreachable gateway or a timeout is an outcome.
 */
export interface DeployDriver {
  deploy(env: DeployEnvironment, proxy: DeployableProxy): Promise<DriverOutcome>;
  undeploy(env: DeployEnvironment, proxy: DeployableProxy): Promise<DriverOutcome>;
}

/** The deployable part of a catalog proxy document (as an asset read or a proxy view gives it). */
export function deployableProxy(doc: Record<string, unknown>, revision: number): DeployableProxy {
  return {
    uuid: String(doc.uuid),
    name: String(doc.name),
    basePath: String(doc.basePath ?? ''),
    revision,
    routing: doc.routing,
    endpoints: doc.endpoints,
    policies: doc.policies,
    cors: doc.cors,
    cache: doc.cache,
    maintenanceMode: doc.maintenanceMode,
  };
}
