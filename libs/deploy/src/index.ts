export { deployableProxy } from './deploy-driver.js';
export type { DeployDriver, DeployEnvironment, DeployableProxy, DriverOutcome } from './deploy-driver.js';
export { HttpDeployDriver, HTTP_DRIVER_TIMEOUT_MS, httpAdminUrlProblem } from './http-driver.js';
export { DeployDriverRegistry } from './deploy-driver-registry.js';
export { NginxDeployDriver, initNginxConfigDir } from './nginx-driver.js';
export { nginxSettingsProblem, renderMainConfig, renderProxy } from './nginx-config.js';
export type { NginxSettings } from './nginx-config.js';
