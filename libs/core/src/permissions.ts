export const Permission = {
  ExportImport: 'API_MANAGEMENT:EXPORT_IMPORT',
  DeployUndeploy: 'API_MANAGEMENT:DEPLOY_UNDEPLOY',
  /** Holds every project permission and manages the project's catalog and webhooks. */
  ProjectAdmin: 'PROJECT_ADMIN',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];
export const ALL_PERMISSIONS: readonly Permission[] = Object.values(Permission);

export interface Principal {
  tokenId: string;
  name: string;
  instanceAdmin: boolean;
  grants: { projectName: string; permission: string }[];
}

/** Instance admins hold everything; a project admin holds every permission of its project. */
export function hasPermission(principal: Principal, projectName: string, permission: Permission): boolean {
  if (principal.instanceAdmin) return true;
  return principal.grants.some(
    (g) => g.projectName === projectName && (g.permission === permission || g.permission === Permission.ProjectAdmin),
  );
}

/** Any grant at all on the project: enough to read its catalog and jobs. */
export function canSeeProject(principal: Principal, projectName: string): boolean {
  return principal.instanceAdmin || principal.grants.some((g) => g.projectName === projectName);
}
