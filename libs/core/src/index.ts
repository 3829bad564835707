export * from './errors.js';
export * from './tokens.js';
export * from './permissions.js';
export { sleep } from './sleep.js';
export * from './model/api-proxy.model.js';
export { toFieldErrors, validateModel, validationErrorOf } from './model/validate-model.js';
export { AssetRefModel, SharedPolicyModel, AliasModel, ApplicationModel } from './model/asset.model.js';
export * from './import/conflict-policy.js';
export * from './import/import-planner.js';
