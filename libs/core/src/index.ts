export * from './errors.js';
export * from './tokens.js';
export * from './permissions.js';
export { sleep } from './sleep.js';
export * from './model/api-proxy.model.js';
export { toFieldErrors, validateModel, validationErrorOf } from './model/validate-model.js';
