import type { DeployDriver } from './deploy-driver.js';
import { HttpDeployDriver } from './http-driver.js';
import { NginxDeployDriver } from './nginx-driver.js';

/** Drivers by the name an environment gives; an unknown name has no driver. */
export class DeployDriverRegistry {
  private readonly drivers: Map<string, DeployDriver>;

  constructor(drivers: Record<string, DeployDriver> = { http: new HttpDeployDriver(), nginx: new NginxDeployDriver() }) {
    this.drivers = new Map(Object.entries(drivers));
  }

  get(name: string): DeployDriver | undefined {
    return this.drivers.get(name);
  }

  names(): string[] {
    return [...this.drivers.keys()];
  }
}
