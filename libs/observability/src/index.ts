export { createLogger, LOGGER, REDACTED_PATHS } from './logger.js';
export { problemFromError, problemType, PROBLEM_CONTENT_TYPE } from './problem.js';
export type { ProblemDetails } from './problem.js';
export { LoggingModule } from './logging.module.js';
